/*
 * replay.h: run a wso2-alloc command against a daemon whose answers are
 * given bytes (the client's unit tests and fuzz_answer).
 */
#ifndef WA_REPLAY_H
#define WA_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A listening socket in a new temporary directory; 0 or -1. */
int wa_replay_init(void);
/* The temporary directory (for files a test needs beside the socket). */
const char *wa_replay_dir(void);
/*
 * Run argv (NULL-terminated, argv[0] the command's name) with --json
 * when json is set; the daemon's side of the connection holds answer,
 * then end of file.  Whatever the command prints to stdout or stderr
 * goes to out.  Returns the command's exit code.
 */
int wa_replay(const char *answer, size_t len, bool json,
    const char *const *argv, FILE *out);
void wa_replay_done(void);

#endif
