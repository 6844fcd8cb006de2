/* SPDX-License-Identifier: ISC */
/*
 * noop_fcgi.c: a FastCGI program that does nothing: it accepts each request
 * and answers 200 with a small JSON body, reading neither database nor
 * body.  Behind the same lighttpd as the programs it measures the HTTP +
 * FastCGI ceiling the programs' GET is compared with.
 */
#include <fcgi_stdio.h>

int main(void)
{
	while (FCGI_Accept() >= 0)
		printf("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
		       "{\"success\":true}\n");
	return 0;
}
