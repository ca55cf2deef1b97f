/* Log topic shared by the core: `PIPEWIRE_DEBUG=mod.callbridge:5` turns it up. */
#ifndef CALLBRIDGE_UTIL_LOG_H
#define CALLBRIDGE_UTIL_LOG_H

#include <pipewire/log.h>

PW_LOG_TOPIC_EXTERN(cb_log_topic);
#define PW_LOG_TOPIC_DEFAULT cb_log_topic

void cb_log_init(void);

#endif
