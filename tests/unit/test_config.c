/* SPDX-License-Identifier: ISC */
/* Unit tests: configuration parsing (good and bad files). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "testutil.h"

struct config_case {
	int line;
	const char *desc;
	const char *text;
	enum up_err want;
	const char *err_part; /* substring of the error sentence, or NULL */
};

static const struct config_case cases[] = {
        {__LINE__, "minimal file", "db_user = u\ndb_name = n\n", UP_OK, NULL},
        {__LINE__, "comments, blanks, CRLF and spaces",
         "# userpatch\r\n\r\n  db_user=u  \r\n\tdb_name =\tn\r\n# end\n", UP_OK, NULL},
        {__LINE__, "every key",
         "db_host = a,b\ndb_port = 3307\ndb_socket = /s\ndb_user = u\ndb_password = p\n"
         "db_name = n\ndb_connect_timeout = 3\ndb_rw_timeout = 10\ndb_retries = 5\n"
         "max_body = 1024\nmax_json_depth = 16\nmax_patch_ops = 10\nmax_pointer_len = 64\n"
         "pwhash_opslimit = 3\npwhash_memlimit = 19922944\nretry_after = 7\n"
         "device_validation = strict\nlog_level = debug\nlog_file = /l\n",
         UP_OK, NULL},
        {__LINE__, "no final newline", "db_user = u\ndb_name = n", UP_OK, NULL},
        {__LINE__, "unknown key", "db_user = u\ndb_name = n\ndb_pasword = x\n", UP_ERR_CONFIG,
         "unknown key 'db_pasword'"},
        {__LINE__, "key given twice", "db_user = u\ndb_user = v\ndb_name = n\n", UP_ERR_CONFIG,
         "given twice"},
        {__LINE__, "missing '='", "db_user u\n", UP_ERR_CONFIG, "line 1: expected key = value"},
        {__LINE__, "empty value", "db_user =\ndb_name = n\n", UP_ERR_CONFIG, "has no value"},
        {__LINE__, "port zero", "db_user = u\ndb_name = n\ndb_port = 0\n", UP_ERR_CONFIG,
         "db_port must be a whole number from 1 to 65535"},
        {__LINE__, "port too large", "db_user = u\ndb_name = n\ndb_port = 65536\n", UP_ERR_CONFIG,
         "db_port"},
        {__LINE__, "port with sign", "db_user = u\ndb_name = n\ndb_port = +80\n", UP_ERR_CONFIG,
         "db_port"},
        {__LINE__, "port with trailing junk", "db_user = u\ndb_name = n\ndb_port = 80x\n",
         UP_ERR_CONFIG, "db_port"},
        {__LINE__, "port with leading zero", "db_user = u\ndb_name = n\ndb_port = 080\n",
         UP_ERR_CONFIG, "db_port"},
        {__LINE__, "body cap below minimum", "db_user = u\ndb_name = n\nmax_body = 10\n",
         UP_ERR_CONFIG, "max_body"},
        {__LINE__, "huge number", "db_user = u\ndb_name = n\nmax_body = 99999999999999999999999\n",
         UP_ERR_CONFIG, "max_body"},
        {__LINE__, "argon2id: 1 pass is below the OWASP floor",
         "db_user = u\ndb_name = n\npwhash_opslimit = 1\n", UP_ERR_CONFIG,
         "pwhash_opslimit must be a whole number from 2 to 64"},
        {__LINE__, "argon2id: 2 passes is the floor",
         "db_user = u\ndb_name = n\npwhash_opslimit = 2\n", UP_OK, NULL},
        {__LINE__, "argon2id: 19 MiB less one byte is below the OWASP floor",
         "db_user = u\ndb_name = n\npwhash_memlimit = 19922943\n", UP_ERR_CONFIG,
         "pwhash_memlimit must be a whole number from 19922944 to"},
        {__LINE__, "argon2id: libsodium's minimum (8 KiB) is refused",
         "db_user = u\ndb_name = n\npwhash_memlimit = 8192\n", UP_ERR_CONFIG, "pwhash_memlimit"},
        {__LINE__, "argon2id: 19 MiB is the floor",
         "db_user = u\ndb_name = n\npwhash_memlimit = 19922944\n", UP_OK, NULL},
        {__LINE__, "max_future_fix: 0 (no fix time ahead of the clock)",
         "db_user = u\ndb_name = n\nmax_future_fix = 0\n", UP_OK, NULL},
        {__LINE__, "max_future_fix: a day is the most",
         "db_user = u\ndb_name = n\nmax_future_fix = 86400\n", UP_OK, NULL},
        {__LINE__, "max_future_fix: more than a day",
         "db_user = u\ndb_name = n\nmax_future_fix = 86401\n", UP_ERR_CONFIG,
         "max_future_fix must be a whole number from 0 to 86400"},
        {__LINE__, "tracker_register_unknown: on",
         "db_user = u\ndb_name = n\ntracker_register_unknown = on\n", UP_OK, NULL},
        {__LINE__, "tracker_register_unknown: yes is not on/off",
         "db_user = u\ndb_name = n\ntracker_register_unknown = yes\n", UP_ERR_CONFIG,
         "tracker_register_unknown must be on or off"},
        {__LINE__, "bad device mode", "db_user = u\ndb_name = n\ndevice_validation = loose\n",
         UP_ERR_CONFIG, "format or strict"},
        {__LINE__, "bad log level", "db_user = u\ndb_name = n\nlog_level = verbose\n",
         UP_ERR_CONFIG, "log_level"},
        {__LINE__, "password and password file",
         "db_user = u\ndb_name = n\ndb_password = a\n"
         "db_password_file = /f\n",
         UP_ERR_CONFIG, "exclusive"},
        {__LINE__, "db_name missing", "db_user = u\n", UP_ERR_CONFIG, "required"},
        {__LINE__, "empty file", "", UP_ERR_CONFIG, "required"},
        {__LINE__, "trailing comments after blanks",
         "db_user = u   # the account\ndb_name = n\t# tab before\nlog_level = info # x\n", UP_OK,
         NULL},
        {__LINE__, "a comment as the whole value", "db_user = # nobody\ndb_name = n\n",
         UP_ERR_CONFIG, "db_user has no value"},
        {__LINE__, "a quoted value", "db_user = \"u\" # c\ndb_name = \"n\"\n", UP_OK, NULL},
        {__LINE__, "a quoted value without its closing quote",
         "db_user = u\ndb_name = n\ndb_password = \"pa # ss\n", UP_ERR_CONFIG,
         "line 3: a quoted value lacks its closing quote"},
        {__LINE__, "text after the closing quote", "db_user = \"u\"x\ndb_name = n\n", UP_ERR_CONFIG,
         "line 1: text after the closing quote"},
        {__LINE__, "a '#' glued to the closing quote", "db_user = \"u\"# c\ndb_name = n\n",
         UP_ERR_CONFIG, "text after the closing quote"},
        {__LINE__, "a number with a comment", "db_user = u\ndb_name = n\ndb_port = 3307 # tcp\n",
         UP_OK, NULL},
        {__LINE__, "a comment is not part of a number",
         "db_user = u\ndb_name = n\ndb_port = 3307#x\n", UP_ERR_CONFIG, "db_port"},
        {__LINE__, "a comment is not a value of a word key",
         "db_user = u\ndb_name = n\nlog_level = info# x\n", UP_ERR_CONFIG, "log_level"},
        {__LINE__, "db_host: hosts with ports, IPv6 and the socket",
         "db_user = u\ndb_name = n\n"
         "db_host = 10.0.0.1:3307, db2.example.net,[fd00::4]:3306 ,[::1],localhost\n"
         "db_failback_delay = 30\n",
         UP_OK, NULL},
        {__LINE__, "db_host: an empty entry", "db_user = u\ndb_name = n\ndb_host = a,,b\n",
         UP_ERR_CONFIG, "db_host entry 2 is not host, host:port or [ipv6]:port"},
        {__LINE__, "db_host: a trailing comma", "db_user = u\ndb_name = n\ndb_host = a,b,\n",
         UP_ERR_CONFIG, "db_host entry 3"},
        {__LINE__, "db_host: port 0", "db_user = u\ndb_name = n\ndb_host = a:0\n", UP_ERR_CONFIG,
         "db_host entry 1"},
        {__LINE__, "db_host: port above 65535", "db_user = u\ndb_name = n\ndb_host = b,a:65536\n",
         UP_ERR_CONFIG, "db_host entry 2"},
        {__LINE__, "db_host: port with junk", "db_user = u\ndb_name = n\ndb_host = a:33x\n",
         UP_ERR_CONFIG, "db_host entry 1"},
        {__LINE__, "db_host: empty port", "db_user = u\ndb_name = n\ndb_host = a:\n", UP_ERR_CONFIG,
         "db_host entry 1"},
        {__LINE__, "db_host: IPv6 without its bracket",
         "db_user = u\ndb_name = n\ndb_host = [::1:3306\n", UP_ERR_CONFIG, "db_host entry 1"},
        {__LINE__, "db_host: text after the IPv6 bracket",
         "db_user = u\ndb_name = n\ndb_host = [::1]x\n", UP_ERR_CONFIG, "db_host entry 1"},
        {__LINE__, "db_host: a space inside a name", "db_user = u\ndb_name = n\ndb_host = db one\n",
         UP_ERR_CONFIG, "db_host entry 1"},
        {__LINE__, "db_host: 16 hosts is the most",
         "db_user = u\ndb_name = n\ndb_host = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n", UP_OK, NULL},
        {__LINE__, "db_host: 17 hosts",
         "db_user = u\ndb_name = n\ndb_host = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", UP_ERR_CONFIG,
         "more than 16 hosts"},
        {__LINE__, "db_failback_delay 0", "db_user = u\ndb_name = n\ndb_failback_delay = 0\n",
         UP_ERR_CONFIG, "db_failback_delay must be a whole number from 1 to 86400"},
        {__LINE__, "db_pipeline off", "db_user = u\ndb_name = n\ndb_pipeline = off\n", UP_OK, NULL},
        {__LINE__, "db_pipeline: only on or off", "db_user = u\ndb_name = n\ndb_pipeline = 1\n",
         UP_ERR_CONFIG, "line 3: db_pipeline must be on or off"},
};

/* What a value holds once blanks, comments and quotes are taken off. */
struct value_case {
	int line;
	const char *desc;
	const char *text; /* a db_password line */
	const char *want;
};

static const struct value_case values[] = {
        {__LINE__, "bare", "db_password = s3cret", "s3cret"},
        {__LINE__, "comment after blanks", "db_password = s3cret    # inline", "s3cret"},
        {__LINE__, "comment after a tab", "db_password = s3cret\t#x", "s3cret"},
        {__LINE__, "'#' inside a word is kept", "db_password = pa#ss", "pa#ss"},
        {__LINE__, "'#' at the end of a word is kept", "db_password = pass#", "pass#"},
        {__LINE__, "blanks inside a bare value are kept", "db_password = a b  c  ", "a b  c"},
        {__LINE__, "quoted: ' #' is kept", "db_password = \"pa #ss\"", "pa #ss"},
        {__LINE__, "quoted: blanks at the ends are kept", "db_password = \"  x  \"  # c", "  x  "},
        {__LINE__, "quoted: escaped quote and backslash", "db_password = \"a\\\"b\\\\c\"",
         "a\"b\\c"},
        {__LINE__, "quoted: other backslashes are kept", "db_password = \"a\\nb\"", "a\\nb"},
        {__LINE__, "a list with a comment", "db_password = a,b # two", "a,b"},
        {__LINE__, "CRLF and a comment", "db_password = x # c\r", "x"},
};

START_TEST(test_config_value_cases)
{
	const struct value_case *c = &values[_i];
	struct up_config cfg;
	char text[256], err[256];
	enum up_err rc;

	snprintf(text, sizeof(text), "db_user = u\ndb_name = n\n%s\n", c->text);
	rc = up_config_parse(text, strlen(text), &cfg, err, sizeof(err));
	ck_assert_msg(rc == UP_OK, "line %d (%s): %s", c->line, c->desc, err);
	ck_assert_msg(strcmp(cfg.db_password, c->want) == 0, "line %d (%s): got '%s' want '%s'",
	              c->line, c->desc, cfg.db_password, c->want);
	up_config_free(&cfg);
}
END_TEST

START_TEST(test_config_cases)
{
	const struct config_case *c = &cases[_i];
	struct up_config cfg;
	char err[256];
	enum up_err rc;

	rc = up_config_parse(c->text, strlen(c->text), &cfg, err, sizeof(err));
	ck_assert_msg(rc == c->want, "line %d (%s): got %d want %d (%s)", c->line, c->desc, rc,
	              c->want, err);
	if (c->err_part != NULL)
		ck_assert_msg(strstr(err, c->err_part) != NULL,
		              "line %d (%s): error '%s' lacks '%s'", c->line, c->desc, err,
		              c->err_part);
	up_config_free(&cfg);
}
END_TEST

START_TEST(test_config_values)
{
	static const char text[] = "db_host = a,b\ndb_user = u\ndb_name = n\nmax_body = 1024\n"
	                           "device_validation = strict\nlog_level = warn\n";
	struct up_config cfg;
	char err[256];

	ck_assert_int_eq(up_config_parse(text, strlen(text), &cfg, err, sizeof(err)), UP_OK);
	ck_assert_str_eq(cfg.db_host, "a,b");
	ck_assert_str_eq(cfg.db_user, "u");
	ck_assert_uint_eq(cfg.max_body, 1024);
	ck_assert_uint_eq(cfg.db_port, 3306); /* default kept */
	ck_assert_int_eq(cfg.device_validation, UP_DEVICE_STRICT);
	ck_assert_int_eq(cfg.log_level, UP_LOG_WARN);
	ck_assert_uint_eq(cfg.max_patch_ops, 256);
	ck_assert_uint_eq(cfg.max_future_fix, 300);        /* today's 5 minutes */
	ck_assert_int_eq(cfg.tracker_register_unknown, 0); /* off unless asked for */
	up_config_free(&cfg);
	ck_assert_int_eq(
	        up_config_parse("db_user = u\ndb_name = n\ntracker_register_unknown = on\n", 54,
	                        &cfg, err, sizeof(err)),
	        UP_OK);
	ck_assert_int_eq(cfg.tracker_register_unknown, 1);
	up_config_free(&cfg);
	ck_assert_int_eq(up_config_parse("db_user = u\ndb_name = n\nmax_future_fix = 60\n", 44,
	                                 &cfg, err, sizeof(err)),
	                 UP_OK);
	ck_assert_uint_eq(cfg.max_future_fix, 60);
	up_config_free(&cfg);
}
END_TEST

START_TEST(test_config_password_file)
{
	char dir[] = "/tmp/upcfgXXXXXX", conf[256], pw[256], err[256];
	struct up_config cfg;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	snprintf(conf, sizeof(conf), "%s/conf", dir);
	f = fopen(pw, "w");
	fputs("s3cret\n", f);
	fclose(f);
	f = fopen(conf, "w");
	fprintf(f, "db_user = u\ndb_name = n\ndb_password_file = %s\n", pw);
	fclose(f);
	ck_assert_int_eq(up_config_load(conf, &cfg, err, sizeof(err)), UP_OK);
	ck_assert_str_eq(cfg.db_password, "s3cret");
	up_config_free(&cfg);

	/* A password file that does not exist is a clear error. */
	unlink(pw);
	ck_assert_int_eq(up_config_load(conf, &cfg, err, sizeof(err)), UP_ERR_CONFIG);
	ck_assert_msg(strstr(err, "cannot open") != NULL, "%s", err);
	unlink(conf);
	ck_assert_int_eq(up_config_load(conf, &cfg, err, sizeof(err)), UP_ERR_CONFIG);
	rmdir(dir);
}
END_TEST

/* One load: the files' modes, and what the log must (not) say afterwards. */
static const struct {
	int line;
	const char *desc;
	mode_t conf_mode, pw_mode;
	const char *want; /* in the lines this load logged; NULL: it logged nothing */
} secret_steps[] = {
        {__LINE__, "owner only: silent", 0600, 0600, NULL},
        {__LINE__, "owner and group: silent", 0640, 0640, NULL},
        {__LINE__, "config readable by others: warned", 0644, 0640,
         "configuration file /tmp/upsecXXXXXX/conf is readable by every user of this host "
         "(mode 0644)"},
        {__LINE__, "the same file at the next reload: warned once only", 0644, 0640, NULL},
        {__LINE__, "password file readable by others: warned", 0644, 0604,
         "password file /tmp/upsecXXXXXX/pw is readable by every user of this host (mode 0604)"},
        {__LINE__, "the password file again: warned once only", 0600, 0604, NULL},
        {__LINE__, "both private again: silent", 0600, 0600, NULL},
};

/* Put dir in place of the XXXXXX template of the expected line. */
static void with_dir(const char *tmpl, const char *dir, char *out, size_t size)
{
	const char *x = strstr(tmpl, "/tmp/upsecXXXXXX");

	ck_assert_ptr_nonnull(x);
	snprintf(out, size, "%.*s%s%s", (int)(x - tmpl), tmpl, dir, x + strlen("/tmp/upsecXXXXXX"));
}

START_TEST(test_config_secret_modes)
{
	char dir[] = "/tmp/upsecXXXXXX", conf[256], pw[256], err[256], logged[2048], want[512];
	struct up_config cfg;
	FILE *f, *log = tmpfile();
	long pos = 0;
	size_t i, n;

	ck_assert_ptr_nonnull(log);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	snprintf(conf, sizeof(conf), "%s/conf", dir);
	f = fopen(pw, "w");
	ck_assert_ptr_nonnull(f);
	fputs("s3cret\n", f);
	fclose(f);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "db_user = u\ndb_name = n\ndb_password_file = %s\n", pw);
	fclose(f);
	up_log_init("test", UP_LOG_INFO, log);
	for (i = 0; i < sizeof(secret_steps) / sizeof(secret_steps[0]); i++) {
		ck_assert_int_eq(chmod(conf, secret_steps[i].conf_mode), 0);
		ck_assert_int_eq(chmod(pw, secret_steps[i].pw_mode), 0);
		ck_assert_int_eq(up_config_load(conf, &cfg, err, sizeof(err)), UP_OK);
		ck_assert_str_eq(cfg.db_password, "s3cret");
		up_config_free(&cfg);
		ck_assert_int_eq(fseek(log, pos, SEEK_SET), 0);
		n = fread(logged, 1, sizeof(logged) - 1, log);
		logged[n] = '\0';
		pos += (long)n;
		if (secret_steps[i].want == NULL) {
			ck_assert_msg(n == 0, "line %d (%s): logged %s", secret_steps[i].line,
			              secret_steps[i].desc, logged);
			continue;
		}
		with_dir(secret_steps[i].want, dir, want, sizeof(want));
		ck_assert_msg(strstr(logged, want) != NULL && strstr(logged, " warn ") != NULL &&
		                      strchr(logged, '\n') == logged + n - 1,
		              "line %d (%s): want one warning '%s', logged '%s'",
		              secret_steps[i].line, secret_steps[i].desc, want, logged);
		ck_assert_msg(strstr(logged, "s3cret") == NULL, "line %d: the password was logged",
		              secret_steps[i].line);
	}
	up_log_init("test", UP_LOG_INFO, NULL);
	fclose(log);
	unlink(pw);
	unlink(conf);
	rmdir(dir);
}
END_TEST

START_TEST(test_config_path)
{
	setenv("USERPATCH_CONFIG", "/etc/x.conf", 1);
	ck_assert_str_eq(up_config_path(), "/etc/x.conf");
	unsetenv("USERPATCH_CONFIG");
	ck_assert_msg(strstr(up_config_path(), "userpatch.conf") != NULL, "%s", up_config_path());
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_config_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_config_values);
	tcase_add_loop_test(tc, test_config_value_cases, 0, sizeof(values) / sizeof(values[0]));
	tcase_add_test(tc, test_config_password_file);
	tcase_add_test(tc, test_config_secret_modes);
	tcase_add_test(tc, test_config_path);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
