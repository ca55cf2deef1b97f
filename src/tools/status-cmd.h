/* `pw-callbridge status [--json] [--watch] [CALL]`: shows what running
 * calls publish in their `callbridge.<call>` metadata objects. */
#ifndef CALLBRIDGE_STATUS_CMD_H
#define CALLBRIDGE_STATUS_CMD_H

/* argv[0] is "status". Returns the process exit status. */
int cb_status_command(int argc, char *argv[]);

#endif
