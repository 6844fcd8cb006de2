/* SPDX-License-Identifier: ISC */
/* userpatch-users: the Users API as a FastCGI or CGI program. */
#include "users.h"

int main(void)
{
	return up_app_main("userpatch-users", &up_users_routes);
}
