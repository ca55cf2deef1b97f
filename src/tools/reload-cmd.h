/* `pw-callbridge reload [CALL]`: reloads a running call from its file
 * through its `callbridge.<call>` metadata object, and prints the outcome. */
#ifndef CALLBRIDGE_RELOAD_CMD_H
#define CALLBRIDGE_RELOAD_CMD_H

/* argv[0] is "reload". Returns the process exit status. */
int cb_reload_command(int argc, char *argv[]);

#endif
