/*
 * SPIN model of IPC (docs/ASSURANCE.md): endpoints (kernel/endpoint.c),
 * wait queues and cancellation (kernel/waitq.c), the bound notification
 * (kernel/notify.c), fault IPC (endpoint.c fault_ipc_send, fault_reply)
 * and deletion of endpoints (endpoint_finalise) and threads (thread.c
 * tcb_finalise), with two servers and three clients.
 *
 * Each system call is one d_step: the kernel runs with interrupts off, so
 * a call is atomic with respect to every other. A blocked thread's process
 * waits until the kernel changes its state. Priorities and the scheduler
 * are left out: any runnable thread may take the next step, which covers
 * every order a scheduler could choose. Endpoint finalisation runs whole
 * here; its batches are modelled in revoke.pml.
 *
 * Threads: 0 and 1 are servers, receiving on endpoints 0 and 1; 1 is also
 * the pager of thread 4 (its fault endpoint is endpoint 1). Notification 0
 * is bound to server 0. Clients 2, 3, 4 each make NOPS calls, sends,
 * signals or faults; a deleter deletes up to NDEL endpoints or threads at
 * any point.
 *
 * Properties (assertions, checked after every step, and end states):
 *  - no message lost or duplicated: a message is received at most once; a
 *    send that returned OK was received, one that failed was not; a call
 *    answered OK was received by the server that answered;
 *  - replies only to their caller: the reply a client gets carries the
 *    message it sent;
 *  - no thread blocked on a dead peer: a thread waiting on an endpoint is
 *    on that live endpoint's queue, one waiting for a reply is owed it by
 *    a live server (and the server's reply_to names it back);
 *  - notifications: a wait or receive takes exactly the bits signalled
 *    since the last one took them;
 *  - EP_REPLY_RECV on an endpoint whose capability is gone fails before
 *    replying (docs/API.md) and the server keeps its reply: a server that
 *    gives up replies first (EP_REPLY), and holds no reply when it quits.
 */
#define NT    5   /* threads: 0, 1 servers; 2, 3, 4 clients */
#define NE    2   /* endpoints */
#define NONE  255
#ifndef NOPS
#define NOPS  2   /* operations per client, at most */
#endif
#ifndef OPS2
#define OPS2  NOPS
#endif
#ifndef OPS3
#define OPS3  NOPS
#endif
#ifndef OPS4
#define OPS4  NOPS
#endif
#ifndef NDEL
#define NDEL  2   /* deletions */
#endif
#define NMSG  (NT * NOPS + 1)
#define ID(t, k) ((t) * NOPS + (k)) /* message k (1..NOPS) of client t */

/* thread states */
#define RUN     1 /* runnable or running */
#define BLOCKED 2
#define STOPPED 3 /* stopped by an unserved fault (thread_stop_fault) */
#define DEAD    4 /* its TCB was finalised */

/* what a blocked thread waits for (tcb->blocked) */
#define B_NONE  0
#define B_SEND  1
#define B_RECV  2
#define B_REPLY 3

/* results */
#define OK       0
#define EDELETED 1
#define ECAP     2 /* the capability lookup failed: nothing was done */

byte st[NT], blk[NT], wobj[NT], replyto[NT], replier[NT];
byte msg[NT];     /* the message a thread is sending (an id) */
byte got[NT];     /* a client: the reply it was given */
byte rep[NT];     /* a server: the call it owes a reply for */
byte rax[NT];
bool call[NT];    /* a queued sender is calling */
bool fault[NT];   /* fault_ipc: the message is a fault */
bool delivered[NMSG];

byte epq[NE * NT]; /* wait queues, FIFO (one priority) */
byte epn[NE];
byte epkind[NE];   /* q_blocked */
bool epalive[NE];

byte nword, nbound, sigpend; /* notification 0; sigpend: ghost */

hidden byte gi, gj, gc, gs, gk;     /* scratch inside one step */
hidden byte gstop;

inline q_remove(e, t)
{
	gi = 0;
	do
	:: gi < epn[e] && epq[e * NT + gi] != t -> gi++
	:: else -> break
	od;
	assert(gi < epn[e]); /* a thread blocked on e is on e's queue */
	do
	:: gi + 1 < epn[e] -> epq[e * NT + gi] = epq[e * NT + gi + 1]; gi++
	:: else -> break
	od;
	epn[e]--;
	epq[e * NT + epn[e]] = 0;
	call[t] = false;
	if
	:: epn[e] == 0 -> epkind[e] = B_NONE /* stale in the kernel, and unused */
	:: else -> skip
	fi;
	gi = 0
}

inline q_pop(e, t)
{
	t = epq[e * NT];
	q_remove(e, t)
}

inline block_on(t, e, kind)
{
	st[t] = BLOCKED;
	blk[t] = kind;
	wobj[t] = e;
	if
	:: kind != B_REPLY -> epq[e * NT + epn[e]] = t; epn[e]++
	:: else -> skip
	fi
}

/* waitq.c ipc_detach: gstop when t must stop (a fault nobody serves) */
inline detach(t, err)
{
	gstop = false;
	if
	:: st[t] == BLOCKED ->
		if
		:: blk[t] == B_SEND || blk[t] == B_RECV -> q_remove(wobj[t], t)
		:: else -> skip
		fi;
		if
		:: blk[t] == B_REPLY && replier[t] != NONE ->
			replyto[replier[t]] = NONE; replier[t] = NONE
		:: else -> skip
		fi;
		blk[t] = B_NONE; wobj[t] = 0;
		st[t] = RUN;
		if
		:: !fault[t] -> rax[t] = err
		:: else -> fault[t] = false; gstop = true
		fi
	:: else -> skip
	fi
}

/* thread.c thread_stopped; only clients fault here, and they owe no reply */
inline stop(t)
{
	assert(replyto[t] == NONE);
	st[t] = STOPPED
}

inline cancel(t, err)
{
	detach(t, err);
	if
	:: gstop -> stop(t)
	:: else -> skip
	fi
}

/* waitq.c reply_drop: the caller srv owes gives up */
inline reply_drop(srv)
{
	gc = replyto[srv];
	replyto[srv] = NONE;
	replier[gc] = NONE;
	cancel(gc, EDELETED);
	gc = 0
}

/* Received: at most once. */
inline receive(s, r)
{
	assert(msg[s] > 0 && msg[s] < NMSG);
	assert(!delivered[msg[s]]);
	delivered[msg[s]] = true;
	rax[r] = OK
}

inline rendezvous(s, r, iscall)
{
	receive(s, r);
	if
	:: iscall ->
		if
		:: replyto[r] != NONE -> reply_drop(r)
		:: else -> skip
		fi;
		replyto[r] = s;
		rep[r] = msg[s];
		replier[s] = r;
		block_on(s, 0, B_REPLY)
	:: else -> rax[s] = OK
	fi
}

/* endpoint.c send (block true) */
inline send(s, e, iscall)
{
	if
	:: epkind[e] == B_RECV && epn[e] > 0 ->
		q_pop(e, gs);
		blk[gs] = B_NONE; wobj[gs] = 0; st[gs] = RUN;
		rendezvous(s, gs, iscall);
		gs = 0
	:: else ->
		epkind[e] = B_SEND;
		call[s] = iscall;
		block_on(s, e, B_SEND)
	fi
}

inline take_ntfn(t, bits)
{
	assert((nword | bits) == sigpend); /* every bit signalled, none twice */
	sigpend = 0;
	nword = 0;
	rax[t] = OK
}

/* endpoint.c do_recv */
inline recv(r, e)
{
	if
	:: nbound == r && nword != 0 -> take_ntfn(r, 0)
	:: else ->
		if
		:: epkind[e] == B_SEND && epn[e] > 0 ->
			gs = epq[e * NT];
			gk = call[gs];
			q_remove(e, gs);
			blk[gs] = B_NONE; wobj[gs] = 0; st[gs] = RUN;
			if
			:: gk -> rendezvous(gs, r, true)
			:: else -> rendezvous(gs, r, false)
			fi;
			gs = 0; gk = 0
		:: else ->
			epkind[e] = B_RECV;
			block_on(r, e, B_RECV)
		fi
	fi
}

/* endpoint.c do_reply (a pager answers LM_FAULT_RESUME) */
inline reply(srv)
{
	gc = replyto[srv];
	replyto[srv] = NONE;
	replier[gc] = NONE;
	blk[gc] = B_NONE;
	st[gc] = RUN;
	if
	:: fault[gc] -> fault[gc] = false
	:: else -> got[gc] = rep[srv]; rax[gc] = OK
	fi;
	gc = 0
}

/* notify.c notify_signal, with one bound thread and no NTFN_WAIT waiter */
inline signal(bits)
{
	sigpend = sigpend | bits;
	if
	:: nbound != NONE && st[nbound] == BLOCKED && blk[nbound] == B_RECV ->
		gs = nbound;
		cancel(gs, OK);
		take_ntfn(gs, bits);
		gs = 0
	:: else -> nword = nword | bits
	fi
}

/* endpoint.c endpoint_finalise, whole */
inline ep_delete(e)
{
	if
	:: epalive[e] ->
		epalive[e] = false;
		do
		:: epn[e] > 0 -> gs = epq[e * NT]; cancel(gs, EDELETED)
		:: else -> break
		od;
		gs = 0
	:: else -> skip
	fi
}

/* thread.c tcb_finalise: ipc_thread_gone */
inline thread_delete(t)
{
	if
	:: st[t] != DEAD ->
		cancel(t, EDELETED);
		if
		:: replyto[t] != NONE -> reply_drop(t)
		:: else -> skip
		fi;
		if
		:: nbound == t -> nbound = NONE
		:: else -> skip
		fi;
		st[t] = DEAD
	:: else -> skip
	fi
}

/* The invariant, after every step. */
inline check()
{
	gj = 0;
	do
	:: gj < NT ->
		if
		:: st[gj] == BLOCKED && blk[gj] == B_REPLY ->
			assert(replier[gj] != NONE);
			assert(st[replier[gj]] != DEAD && st[replier[gj]] != STOPPED);
			assert(replyto[replier[gj]] == gj)
		:: st[gj] == BLOCKED && blk[gj] != B_REPLY ->
			assert(epalive[wobj[gj]])
		:: else -> assert(blk[gj] == B_NONE)
		fi;
		if
		:: replyto[gj] != NONE ->
			assert(st[replyto[gj]] == BLOCKED && blk[replyto[gj]] == B_REPLY);
			assert(replier[replyto[gj]] == gj)
		:: else -> skip
		fi;
		assert(st[gj] != DEAD || replyto[gj] == NONE);
		gj++
	:: else -> break
	od;
	gj = 0
}

/*
 * Each operation is one atomic sequence: the system call, then the wait
 * for the kernel to end it (a thread that blocks lets the others run
 * there, which is a valid end state), then the checks on its result. A
 * process whose guards are all false (done, deleted) rests at `end`.
 */
#define QUIT 3 /* a server's rax once it gave up */

proctype server(byte me; byte e)
{
end:
	do
	:: atomic { st[me] == RUN && rax[me] == OK && replyto[me] == NONE -> /* EP_RECV */
		if
		:: !epalive[e] -> rax[me] = ECAP
		:: else -> recv(me, e)
		fi; check();
end_r:		st[me] != BLOCKED }
	:: d_step { st[me] == RUN && rax[me] == OK && replyto[me] != NONE -> /* EP_REPLY */
		reply(me); check() }
	:: atomic { st[me] == RUN && rax[me] == OK && replyto[me] != NONE -> /* EP_REPLY_RECV */
		if
		:: !epalive[e] -> rax[me] = ECAP /* fails before it replies */
		:: else -> reply(me); recv(me, e)
		fi; check();
end_rr:		st[me] != BLOCKED }
	:: atomic { st[me] == RUN && rax[me] == OK && replyto[me] != NONE -> /* EP_RECV, reply unused */
		if
		:: !epalive[e] -> rax[me] = ECAP
		:: else -> recv(me, e)
		fi; check();
end_rd:		st[me] != BLOCKED }
	:: d_step { st[me] == RUN && rax[me] != OK && rax[me] != QUIT -> /* its endpoint is gone */
		if
		:: replyto[me] != NONE -> reply(me) /* a server that quits replies first */
		:: else -> skip
		fi;
		rax[me] = QUIT; check() }
	od
}

/* After a call: answered with its own message, which the server received. */
inline called(me, k)
{
	if
	:: st[me] == RUN && rax[me] == OK ->
		assert(got[me] == ID(me, k));
		assert(delivered[ID(me, k)])
	:: else -> skip
	fi;
	msg[me] = 0; got[me] = 0; rax[me] = OK
}

inline do_call(me, k, e)
{
	k++;
	msg[me] = ID(me, k);
	if
	:: !epalive[e] -> rax[me] = ECAP
	:: else -> send(me, e, true)
	fi; check()
}

inline do_send(me, k, e)
{
	k++;
	msg[me] = ID(me, k);
	if
	:: !epalive[e] -> rax[me] = ECAP
	:: else -> send(me, e, false)
	fi; check()
}

/* After a send: received if and only if it returned OK. */
inline sent(me, k)
{
	if
	:: st[me] == RUN && rax[me] == OK -> assert(delivered[ID(me, k)])
	:: st[me] == RUN && rax[me] != OK -> assert(!delivered[ID(me, k)])
	:: else -> skip
	fi;
	msg[me] = 0; rax[me] = OK
}

proctype client(byte me; byte nops)
{
	byte k = 0;
end:
	do
	:: atomic { st[me] == RUN && k < nops -> do_call(me, k, 0);
end_c0:		st[me] != BLOCKED; called(me, k) }
	:: atomic { st[me] == RUN && k < nops -> do_call(me, k, 1);
end_c1:		st[me] != BLOCKED; called(me, k) }
	:: atomic { me == 3 && st[me] == RUN && k < nops -> do_send(me, k, 0);
end_s0:		st[me] != BLOCKED; sent(me, k) }
	:: atomic { me == 3 && st[me] == RUN && k < nops -> do_send(me, k, 1);
end_s1:		st[me] != BLOCKED; sent(me, k) }
	:: d_step { me == 3 && st[me] == RUN && k < nops -> /* NTFN_SIGNAL, a bit per operation */
		k++; signal(1 << k); check() }
	:: atomic { me == 4 && st[me] == RUN && k < nops -> /* a fault: fault IPC to its pager */
		k++;
		msg[me] = ID(me, k);
		if
		:: !epalive[1] -> stop(me) /* no fault endpoint left */
		:: else -> fault[me] = true; send(me, 1, true)
		fi; check();
end_f:		st[me] != BLOCKED;
		if
		:: st[me] == RUN -> assert(delivered[ID(me, k)] && !fault[me])
		:: else -> skip
		fi;
		msg[me] = 0 }
	od
}

proctype deleter()
{
	byte n = 0;
end:
	do
	:: d_step { n < NDEL && epalive[0] -> n++; ep_delete(0); check() }
	:: d_step { n < NDEL && epalive[1] -> n++; ep_delete(1); check() }
	:: d_step { n < NDEL && st[0] != DEAD -> n++; thread_delete(0); check() }
	:: d_step { n < NDEL && st[1] != DEAD -> n++; thread_delete(1); check() }
	:: d_step { n < NDEL && st[2] != DEAD -> n++; thread_delete(2); check() }
	:: d_step { n < NDEL && st[3] != DEAD -> n++; thread_delete(3); check() }
	:: d_step { n < NDEL && st[4] != DEAD -> n++; thread_delete(4); check() }
	od
}

init
{
	d_step {
		gj = 0;
		do
		:: gj < NT -> st[gj] = RUN; replyto[gj] = NONE; replier[gj] = NONE; gj++
		:: else -> break
		od;
		gj = 0;
		epalive[0] = true; epalive[1] = true;
		nbound = 0
	};
	atomic {
		run server(0, 0); run server(1, 1);
		run client(2, OPS2); run client(3, OPS3); run client(4, OPS4);
		run deleter()
	}
}
