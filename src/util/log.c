#include "util/log.h"

PW_LOG_TOPIC(cb_log_topic, "mod.callbridge");

void cb_log_init(void)
{
	PW_LOG_TOPIC_INIT(cb_log_topic);
}
