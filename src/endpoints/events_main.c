/* SPDX-License-Identifier: ISC */
/* userpatch-events: the change feed as a FastCGI or CGI program. */
#include "events.h"

int main(void)
{
	return up_app_main("userpatch-events", &up_events_routes);
}
