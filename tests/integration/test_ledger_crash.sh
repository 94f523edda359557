#!/usr/bin/env bash
# The ledger under SIGKILL: every acknowledged lease survives, 20 rounds.
. "$(dirname "$0")/lib.sh"
"$BIN/ledger_crash" "$T" "${WA_CRASH_ROUNDS:-20}"
