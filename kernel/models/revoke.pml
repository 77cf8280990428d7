/*
 * SPIN model of deletion, revocation and finalisation (docs/ASSURANCE.md):
 * kernel/cap.c (cap_delete_one, cap_drain, cap_revoke), kernel/cnode.c
 * (cnode_finalise, CNODE_DELETE, CNODE_REVOKE, FINISH_DELETE), the
 * endpoint's batched finalisation (endpoint.c endpoint_finalise) and
 * retype's wait for the worklist (untyped.c).
 *
 * Objects: CNodes A, B, C of NS slots each and an endpoint E with two
 * threads waiting on it, all retyped from one untyped U. Root's CSpace
 * (never finalised here) holds U and the original capabilities; A holds a
 * copy of B and of E, B a copy of A (A and B hold each other) and of A's
 * copy of E, C a copy of A's copy of B and a copy of itself. The
 * derivation tree is kept as parent links: its pointer structure is
 * proved separately (tests/assurance/mdb_wp.c); here only its meaning
 * matters (a deleted node's children go to its parent).
 *
 * Each round of a system call (a call, or one restart of it as
 * FINISH_DELETE or SYS_RESTART) is one d_step: the kernel runs with
 * interrupts off, and between rounds any other thread may make calls.
 * Two users each make up to NOPS calls: delete, revoke or copy any
 * capability they can reach, or retype U. A finalisation batch is BATCH
 * work units (the kernel's DRAIN_BATCH / DRAIN_DELETE, 256, made small so
 * that batches run out), a revoke round at most RB deletions
 * (REVOKE_BATCH).
 *
 * Properties (assertions):
 *  - reference counts are exact: refs(o) is the number of slots naming o;
 *  - an object is on the worklist exactly when it has no reference and is
 *    not yet finalised, and is never put on it twice;
 *  - no object memory is reused while it is being finalised: when retype
 *    finds U without children, every object made from it is finalised
 *    (its slots empty, its waiters woken, off the worklist);
 *  - the worklist empties: every call ends within MAXR rounds, and after
 *    the last call the next one to drain empties the list;
 *  - the tree stays a tree: a capability's parent holds a capability.
 */
#ifndef NOPS
#define NOPS  2
#endif
#ifndef NOPS2
#define NOPS2 1
#endif
#ifndef BATCH
#define BATCH 3
#endif
#define RB    2   /* REVOKE_BATCH */
#define MAXR  16  /* rounds any one call may take */

#define NONE  255
#define NS    2                 /* slots per CNode */
#define RS    5                 /* root's slots: U, then A, B, C, E */
#define NSLOT (RS + 3 * NS)
#define SLOT(o, i) (RS + ((o) - 1) * NS + (i))
#define NO    5                 /* objects 1..4; 0 unused */
#define UT    5                 /* a slot's object: the untyped */
#define E     4

#define LIVE   0
#define ZOMBIE 1                /* no reference left, being finalised */
#define FREE   2                /* finalised: its memory may be reused */

byte obj[NSLOT];     /* 0: empty; 1..3 CNode A..C; 4 E; 5 U */
byte parent[NSLOT];
byte refs[NO], ost[NO], fin[NO]; /* fin: CNode: next slot + 1 (0: not begun); E: 1 once begun */
byte waiters;        /* threads blocked on E */
byte wl[NO], wn;     /* the worklist (cap_zombies), a stack */
bool reused;

hidden byte gi, gj, go, gb, gh, gs, gc;
hidden byte gdone;

/* The CNode a slot lives in (0: root's CSpace). */
#define HOME(s) ((s) < RS -> 0 : ((s) - RS) / NS + 1)
#define ISCNODE(o) ((o) >= 1 && (o) <= 3)

inline push(o)
{
	gj = 0;
	do
	:: gj < wn -> assert(wl[gj] != o); gj++
	:: else -> break
	od;
	gj = 0;
	wl[wn] = o;
	wn++
}

/* cap.c cap_delete_one (mdb_remove hands the children to the parent) */
inline delete_one(s)
{
	go = obj[s];
	gi = 0;
	do
	:: gi < NSLOT ->
		if
		:: parent[gi] == s -> parent[gi] = parent[s]
		:: else -> skip
		fi;
		gi++
	:: else -> break
	od;
	gi = 0;
	obj[s] = 0;
	parent[s] = NONE;
	if
	:: go >= 1 && go <= 4 ->
		assert(refs[go] > 0);
		refs[go]--;
		if
		:: refs[go] == 0 -> ost[go] = ZOMBIE; push(go)
		:: else -> skip
		fi
	:: else -> skip
	fi;
	go = 0
}

/* cnode.c cnode_finalise: one scan block (NS <= DRAIN_SCAN), then a unit
 * per capability deleted; gdone when all slots are empty. */
inline cnode_finalise(h)
{
	gdone = false;
	if
	:: gb == 0 -> skip
	:: else ->
		gb--;
		gc = (fin[h] > 0 -> fin[h] - 1 : 0);
		do
		:: gc < NS && obj[SLOT(h, gc)] == 0 -> gc++
		:: gc < NS && obj[SLOT(h, gc)] != 0 && gb > 0 ->
			gb--;
			gs = SLOT(h, gc);
			delete_one(gs);
			gc++
		:: gc < NS && obj[SLOT(h, gc)] != 0 && gb == 0 -> break
		:: gc == NS -> gdone = true; break
		od;
		fin[h] = gc + 1;
		gc = 0; gs = 0
	fi;
	if
	:: !gdone -> fin[h] = (fin[h] > 0 -> fin[h] : 1) /* begun, resumes there */
	:: else -> skip
	fi
}

/* endpoint.c endpoint_finalise: a unit per waiter woken */
inline ep_finalise()
{
	gdone = false;
	fin[E] = 1;
	do
	:: waiters > 0 && gb > 0 -> gb--; waiters--
	:: waiters > 0 && gb == 0 -> break
	:: waiters == 0 -> gdone = true; break
	od
}

/* cap.c cap_drain: one batch; the list is a stack */
inline drain()
{
	gb = BATCH;
	do
	:: wn > 0 && gb > 0 ->
		wn--;
		gh = wl[wn];
		wl[wn] = 0;
		if
		:: ISCNODE(gh) -> cnode_finalise(gh)
		:: else -> gb--; ep_finalise()
		fi;
		if
		:: gdone -> ost[gh] = FREE
		:: else -> wl[wn] = gh; wn++; break /* back on top, with its cursor */
		fi
	:: else -> break
	od;
	gb = 0; gh = 0; gdone = false
}

/* Reachable: in root's CSpace or in a CNode that is alive. */
#define REACH(s) (HOME(s) == 0 || ost[HOME(s)] == LIVE)

inline has_children(s, r)
{
	r = false;
	gi = 0;
	do
	:: gi < NSLOT -> r = r || (obj[gi] != 0 && parent[gi] == s); gi++
	:: else -> break
	od;
	gi = 0
}

inline first_child(s, c)
{
	c = 0;
	do
	:: c < NSLOT && !(obj[c] != 0 && parent[c] == s) -> c++
	:: else -> break
	od
}

/* The invariant, after every round. */
inline check()
{
	go = 1;
	do
	:: go < NO ->
		gc = 0; gi = 0;
		do
		:: gi < NSLOT -> gc = gc + (obj[gi] == go); gi++
		:: else -> break
		od;
		assert(refs[go] == gc);
		assert((refs[go] == 0) == (ost[go] != LIVE));
		gc = 0; gi = 0;
		do
		:: gi < wn -> gc = gc + (wl[gi] == go); gi++
		:: else -> break
		od;
		assert(gc == (ost[go] == ZOMBIE));
		if
		:: ost[go] == FREE && ISCNODE(go) ->
			assert(obj[SLOT(go, 0)] == 0 && obj[SLOT(go, 1)] == 0)
		:: ost[go] == FREE && go == E -> assert(waiters == 0)
		:: else -> skip
		fi;
		go++
	:: else -> break
	od;
	gi = 0;
	do
	:: gi < NSLOT ->
		assert(obj[gi] != 0 || parent[gi] == NONE);
		assert(parent[gi] == NONE || obj[parent[gi]] != 0);
		gi++
	:: else -> break
	od;
	go = 0; gc = 0; gi = 0
}

/* untyped.c retype: the worklist first; U's memory is reused from its
 * start only when U has no children left. */
inline retype(done)
{
	if
	:: wn > 0 -> drain() /* SYS_RESTART */
	:: else ->
		has_children(0, done);
		if
		:: !done ->
			gj = 1;
			do
			:: gj < NO -> assert(ost[gj] == FREE); gj++
			:: else -> break
			od;
			gj = 0;
			reused = true
		:: else -> skip
		fi;
		done = true
	fi
}

proctype user(byte nops)
{
	byte n = 0, s, d, r;
	bool done, kids;
end:
	do
	:: n < nops -> n++;
		select(s : 0 .. NSLOT - 1);
		if
		:: /* CNODE_DELETE, then FINISH_DELETE rounds */
			d_step { REACH(s) && obj[s] != 0 && obj[s] != UT ->
				delete_one(s); drain(); done = (wn == 0); check() };
			r = 1;
			do
			:: done -> break
			:: else -> d_step { drain(); done = (wn == 0); check() };
				r++; assert(r <= MAXR)
			od
		:: /* CNODE_REVOKE, restarted (SYS_RESTART) while it returns 1 */
			r = 0;
			do
			:: d_step {
				if
				:: !(REACH(s) && obj[s] != 0) -> done = true /* decode fails */
				:: else ->
					done = false;
					if
					:: wn > 0 -> drain()
					:: else -> skip
					fi;
					if
					:: wn == 0 ->
						d = 0;
						do
						:: true ->
							has_children(s, kids);
							if
							:: !kids -> done = true; break
							:: kids && (d == RB || wn > 0) -> break
							:: else ->
								first_child(s, gs);
								delete_one(gs); gs = 0;
								drain();
								if
								:: obj[s] == 0 -> done = true; break
								:: else -> d++
								fi
							fi
						od;
						d = 0; kids = false
					:: else -> skip
					fi
				fi; check() };
				r++; assert(r <= MAXR);
				if
				:: done -> break
				:: else -> skip
				fi
			od
		:: /* CNODE_COPY of s into an empty reachable slot */
			select(d : 0 .. NSLOT - 1);
			if
			:: d_step { REACH(s) && REACH(d) && obj[s] != 0 && obj[s] != UT && obj[d] == 0 ->
				obj[d] = obj[s]; parent[d] = s; refs[obj[s]]++; check() }
			:: else -> skip
			fi
		:: /* UNTYPED_RETYPE */
			done = false;
			r = 0;
			do
			:: done -> break
			:: else -> d_step { retype(done); check() }; r++; assert(r <= MAXR)
			od
		:: else -> skip /* s is nothing this user can act on */
		fi;
		s = 0; d = 0; r = 0; done = false
	:: n == nops -> break
	od
}

/* After the last call: the next call to drain empties the list. */
proctype last()
{
	byte r = 0;
	bool done = false;
	do
	:: done -> break
	:: else -> d_step { retype(done); check() }; r++; assert(r <= MAXR)
	od;
	skip; /* the loop's break may not jump into the d_step */
	d_step {
		gj = 1;
		do
		:: gj < NO -> assert(ost[gj] != ZOMBIE); gj++
		:: else -> break
		od;
		gj = 0;
		assert(wn == 0)
	}
}

init
{
	d_step {
		gi = 0;
		do
		:: gi < NSLOT -> parent[gi] = NONE; gi++
		:: else -> break
		od;
		gi = 0;
		/* root: U and the originals, U's children */
		obj[0] = UT;
		obj[1] = 1; parent[1] = 0;
		obj[2] = 2; parent[2] = 0;
		obj[3] = 3; parent[3] = 0;
		obj[4] = E; parent[4] = 0;
		/* A: B and E; B: A and A's E; C: A's B and C itself */
		obj[SLOT(1, 0)] = 2; parent[SLOT(1, 0)] = 2;
		obj[SLOT(1, 1)] = E; parent[SLOT(1, 1)] = 4;
		obj[SLOT(2, 0)] = 1; parent[SLOT(2, 0)] = 1;
		obj[SLOT(2, 1)] = E; parent[SLOT(2, 1)] = SLOT(1, 1);
		obj[SLOT(3, 0)] = 2; parent[SLOT(3, 0)] = SLOT(1, 0);
		obj[SLOT(3, 1)] = 3; parent[SLOT(3, 1)] = 3;
		refs[1] = 2; refs[2] = 3; refs[3] = 2; refs[E] = 3;
		waiters = 2;
		check()
	};
	run user(NOPS); run user(NOPS2);
	(_nr_pr == 1);
	run last()
}
