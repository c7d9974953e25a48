/*
 * crash.h - the crash tests' hook.
 *
 * TINBAO_CRASH="point:n" kills the process with SIGKILL the n-th time it
 * passes `point`, so that the tests can stop the gateway at an exact place:
 * "stored" (an inbox batch committed, the phone not yet emptied), "deleted",
 * "processed", "sending" (a part's marker committed, the modem not yet
 * given it), "sent" (the modem took it, the outcome not yet recorded),
 * "pushed" (the server accepted a batch, not yet recorded).  Without the
 * variable it does nothing.
 */
#ifndef TINBAO_CRASH_H
#define TINBAO_CRASH_H

void crash_point(const char *point);

#endif
