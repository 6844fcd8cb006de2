/* SPDX-License-Identifier: ISC */
/*
 * test_tracker_decode.c: the tracker apps' protocols (tracker_decode.h),
 * table-driven with each app's real requests: Traccar Client's query
 * string (Android before 9) and JSON body (9), GPSLogger's and OsmAnd's
 * URL templates, an OwnTracks location and its other messages, an Overland
 * batch.  Each row gives the request, the device it names, and the position
 * it must become (exactly, in our units), or the error; every decoded
 * position must then pass the position checks.  No database.  JSON in the
 * tables is written with ' for ".
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "json.h"
#include "position.h"
#include "testutil.h"
#include "tracker_decode.h"

/* The time the requests arrive: 2026-01-01T00:00:00Z. */
#define NOW ((time_t)1767225600)

enum proto { OSMAND_QUERY, OSMAND_FORM, OSMAND_JSON, OWNTRACKS, OVERLAND };

struct dec_case {
	int line;
	const char *desc;
	enum proto proto;
	const char *input;    /* query, form body, or JSON (' for ") */
	const char *header;   /* X-Limit-D (OwnTracks) */
	enum up_err want;     /* UP_OK or the error */
	const char *device;   /* the device named ("" for none) */
	const char *position; /* the first position document exactly (' for "); NULL: none */
	const char *alert;    /* the alert document exactly, or NULL */
	const char *field;    /* the first detail's field on UP_ERR_VALIDATION */
};

#define OK(p, desc, in, hdr, dev, pos, alert)                                                      \
	{                                                                                          \
		__LINE__, desc, p, in, hdr, UP_OK, dev, pos, alert, NULL                           \
	}
#define BAD(p, desc, in, want, field)                                                              \
	{                                                                                          \
		__LINE__, desc, p, in, NULL, want, "", NULL, NULL, field                           \
	}

static const struct dec_case cases[] = {
        OK(OSMAND_QUERY, "Traccar Client (Android) query: knots become km/h",
           "id=123456&timestamp=1767225000&lat=52.52&lon=13.405&speed=10.0&bearing=90.0"
           "&altitude=34.0&accuracy=5.0&batt=80.5&charge=true",
           NULL, "123456",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':52.52,'longitude':13.405,"
           "'altitude':34,'speed':18.52,'course':90,'accuracy':5,"
           "'attributes':{'batteryLevel':80.5,'charge':true}}",
           NULL),
        OK(OSMAND_QUERY, "OsmAnd's template: milliseconds, hdop, deviceid",
           "deviceid=phone-7&lat=-33.86&lon=151.2&timestamp=1767225000123&hdop=1.5&altitude=5"
           "&speed=0&bearing=0",
           NULL, "phone-7",
           "{'time':'2025-12-31T23:50:00.123Z','latitude':-33.86,'longitude':151.2,"
           "'altitude':5,'speed':0,'course':0,'attributes':{'hdop':1.5}}",
           NULL),
        OK(OSMAND_QUERY, "location=lat,lon and yyyy-MM-dd HH:mm:ss with + as the space",
           "id=gpslogger&location=48.85,2.35&timestamp=2025-12-31+23:00:00", NULL, "gpslogger",
           "{'time':'2025-12-31T23:00:00Z','latitude':48.85,'longitude':2.35}", NULL),
        OK(OSMAND_QUERY, "RFC 3339 with %3A and %2B escapes",
           "id=a&lat=1&lon=2&timestamp=2025-12-31T23%3A00%3A00%2B01%3A00", NULL, "a",
           "{'time':'2025-12-31T23:00:00+01:00','latitude':1,'longitude':2}", NULL),
        OK(OSMAND_QUERY, "speed, bearing and accuracy -1 are unknown: absent",
           "id=a&lat=1&lon=2&timestamp=1767225000&speed=-1&bearing=-1&accuracy=-1", NULL, "a",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2}", NULL),
        OK(OSMAND_QUERY, "no timestamp: the time of arrival; heading and hacc",
           "id=a&lat=1&lon=2&heading=180&hacc=12", NULL, "a",
           "{'time':'2026-01-01T00:00:00.000Z','latitude':1,'longitude':2,'course':180,"
           "'accuracy':12}",
           NULL),
        OK(OSMAND_QUERY, "alarm=sos: an attribute and an sos alert at the fix",
           "id=a&lat=1&lon=2&timestamp=1767225000&alarm=sos", NULL, "a",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2,"
           "'attributes':{'alarm':'sos'}}",
           "{'type':'sos','time':'2025-12-31T23:50:00.000Z','position':{'time':"
           "'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2,'attributes':{'alarm':'sos'}}}"),
        OK(OSMAND_QUERY, "an alarm of no type of ours: a custom alert with it as message",
           "id=a&lat=1&lon=2&timestamp=1767225000&alarm=tampering", NULL, "a",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2,"
           "'attributes':{'alarm':'tampering'}}",
           "{'type':'custom','time':'2025-12-31T23:50:00.000Z','message':'tampering',"
           "'position':{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2,"
           "'attributes':{'alarm':'tampering'}}}"),
        OK(OSMAND_QUERY, "repeated cell and wifi; unknown keys typed; key is no attribute",
           "id=a&lat=1&lon=2&timestamp=1767225000&cell=262,1,4711,1234,-80&cell=262,1,4711,99"
           "&wifi=aa:bb:cc:dd:ee:ff,-61&driverUniqueId=d7&ignition=true&fuel=12.5"
           "&key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
           NULL, "a",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2,'attributes':"
           "{'driverUniqueId':'d7','ignition':true,'fuel':12.5,'cell':'262,1,4711,1234,-80;"
           "262,1,4711,99','wifi':'aa:bb:cc:dd:ee:ff,-61'}}",
           NULL),
        OK(OSMAND_FORM, "the same protocol as a form body", "id=form1&lat=10&lon=20&speed=1", NULL,
           "form1",
           "{'time':'2026-01-01T00:00:00.000Z','latitude':10,'longitude':20,'speed':1.852}", NULL),
        OK(OSMAND_QUERY, "no id: the device of a bound token", "lat=1&lon=2&timestamp=1767225000",
           NULL, "", "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2}", NULL),
        BAD(OSMAND_QUERY, "no coordinates", "id=a&timestamp=1767225000", UP_ERR_VALIDATION, "lat"),
        BAD(OSMAND_QUERY, "latitude not a number", "id=a&lat=north&lon=2", UP_ERR_VALIDATION,
            "lat"),
        BAD(OSMAND_QUERY, "a timestamp of no known form", "id=a&lat=1&lon=2&timestamp=yesterday",
            UP_ERR_VALIDATION, "timestamp"),
        BAD(OSMAND_QUERY, "an id that cannot be a uniqueId", "id=a%20b&lat=1&lon=2",
            UP_ERR_VALIDATION, "id"),
        BAD(OSMAND_QUERY, "a bad escape", "id=a&lat=1%ZZ&lon=2", UP_ERR_BAD_REQUEST, NULL),
        BAD(OSMAND_QUERY, "speed not a number", "id=a&lat=1&lon=2&speed=fast", UP_ERR_VALIDATION,
            "speed"),
        OK(OSMAND_JSON, "Traccar Client 9: m/s become km/h, battery 0-1 becomes percent",
           "{'location':{'timestamp':'2025-12-31T23:50:00.000Z','coords':{'latitude':52.52,"
           "'longitude':13.405,'accuracy':5.0,'speed':2.5,'heading':90.0,'altitude':34.0},"
           "'is_moving':true,'odometer':1234.5,'event':'motionchange','battery':{'level':0.85,"
           "'is_charging':false},'activity':{'type':'walking'},'extras':{}},'device_id':'123456'}",
           NULL, "123456",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':52.52,'longitude':13.405,"
           "'altitude':34,'speed':9,'course':90,'accuracy':5,'attributes':{'batteryLevel':85,"
           "'charge':false,'motion':true,'odometer':1234.5,'event':'motionchange',"
           "'activity':'walking'}}",
           NULL),
        OK(OSMAND_JSON, "speed and heading -1, battery -1: unknown, absent",
           "{'location':{'timestamp':'2025-12-31T23:50:00Z','coords':{'latitude':1,'longitude':2,"
           "'speed':-1,'heading':-1},'battery':{'level':-1},'extras':{'trip':'t1'}},"
           "'device_id':'x'}",
           NULL, "x",
           "{'time':'2025-12-31T23:50:00Z','latitude':1,'longitude':2,'attributes':{'trip':'t1'}}",
           NULL),
        BAD(OSMAND_JSON, "no location object", "{'device_id':'x'}", UP_ERR_BAD_DATA, NULL),
        BAD(OSMAND_JSON, "coords without longitude",
            "{'device_id':'x','location':{'timestamp':'2025-12-31T23:50:00Z','coords':"
            "{'latitude':1}}}",
            UP_ERR_VALIDATION, "coords"),
        OK(OWNTRACKS, "OwnTracks location, device from X-Limit-D; vel is km/h already",
           "{'_type':'location','acc':13,'alt':48,'batt':84,'bs':1,'conn':'w','lat':52.5,"
           "'lon':13.4,'t':'u','tid':'jj','tst':1767225000,'vac':3,'vel':7,'cog':270,"
           "'topic':'owntracks/jane/phone','inregions':['home','work']}",
           "jane-phone", "jane-phone",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':52.5,'longitude':13.4,'altitude':48,"
           "'speed':7,'course':270,'accuracy':13,'attributes':{'batteryLevel':84,'bs':1,"
           "'conn':'w','t':'u','vac':3,'inregions':'home,work'}}",
           NULL),
        OK(OWNTRACKS, "no X-Limit-D: the topic's last segment",
           "{'_type':'location','lat':1,'lon':2,'tst':1767225000,'tid':'jj',"
           "'topic':'owntracks/jane/phone'}",
           NULL, "phone", "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2}", NULL),
        OK(OWNTRACKS, "no topic either: tid",
           "{'_type':'location','lat':1,'lon':2,'tst':1767225000,'tid':'jj'}", NULL, "jj",
           "{'time':'2025-12-31T23:50:00.000Z','latitude':1,'longitude':2}", NULL),
        OK(OWNTRACKS, "a transition is accepted and stores nothing",
           "{'_type':'transition','event':'enter','desc':'home','tst':1767225000,'tid':'jj'}", NULL,
           "jj", NULL, NULL),
        OK(OWNTRACKS, "lwt is accepted and stores nothing", "{'_type':'lwt','tst':1767225000}",
           NULL, "", NULL, NULL),
        BAD(OWNTRACKS, "no _type", "{'lat':1,'lon':2}", UP_ERR_BAD_DATA, NULL),
        BAD(OWNTRACKS, "tst not a number",
            "{'_type':'location','lat':1,'lon':2,'tst':'now','tid':'jj'}", UP_ERR_VALIDATION,
            "tst"),
        OK(OVERLAND, "Overland's sample: [lon, lat], offset without colon, m/s",
           "{'locations':[{'type':'Feature','geometry':{'type':'Point','coordinates':"
           "[-122.030581,37.3318]},'properties':{'timestamp':'2025-12-31T15:00:00-0700',"
           "'altitude':0,'speed':4,'horizontal_accuracy':30,'vertical_accuracy':-1,"
           "'motion':['driving','stationary'],'battery_state':'charging','battery_level':0.89,"
           "'device_id':'','wifi':''}}]}",
           NULL, "",
           "{'time':'2025-12-31T15:00:00-07:00','latitude':37.3318,'longitude':-122.030581,"
           "'altitude':0,'speed':14.4,'accuracy':30,'attributes':{'vertical_accuracy':-1,"
           "'motion':'driving,stationary','battery_state':'charging','battery_level':0.89,"
           "'wifi':''}}",
           NULL),
        OK(OVERLAND, "speed -1 unknown; device_id names the device; colon offset kept",
           "{'locations':[{'type':'Feature','geometry':{'type':'Point','coordinates':[2,1]},"
           "'properties':{'timestamp':'2025-12-31T15:00:00+01:00','speed':-1,"
           "'device_id':'van-3'}}]}",
           NULL, "van-3", "{'time':'2025-12-31T15:00:00+01:00','latitude':1,'longitude':2}", NULL),
        BAD(OVERLAND, "no locations", "{'locations':[]}", UP_ERR_BAD_DATA, NULL),
        BAD(OVERLAND, "a point without coordinates",
            "{'locations':[{'type':'Feature','geometry':{'type':'Point'},'properties':"
            "{'timestamp':'2025-12-31T15:00:00Z'}}]}",
            UP_ERR_VALIDATION, "geometry.coordinates"),
        BAD(OVERLAND, "properties an array, not an object: no time",
            "{'locations':[{'type':'Feature','geometry':{'type':'Point','coordinates':[2,1]},"
            "'properties':[1,'x']}]}",
            UP_ERR_VALIDATION, "properties.timestamp"),
        BAD(OVERLAND, "a course given as text before a duplicate name's number: the first counts",
            "{'locations':[{'type':'Feature','geometry':{'type':'Point','coordinates':[2,1]},"
            "'properties':{'timestamp':'2025-12-31T15:00:00Z','course':'east','course':9}}]}",
            UP_ERR_VALIDATION, "course"),
};

/* s with every ' as " (owned by the caller). */
static char *dq(const char *s)
{
	char *t = strdup(s), *p;

	ck_assert_ptr_nonnull(t);
	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static enum up_err decode(const struct dec_case *c, struct up_track_report *r, struct up_error *e)
{
	cJSON *doc = NULL;
	char *text;
	enum up_err rc;

	if (c->proto == OSMAND_QUERY)
		return up_tracker_osmand_form(c->input, NULL, NOW, r, e);
	if (c->proto == OSMAND_FORM)
		return up_tracker_osmand_form("", c->input, NOW, r, e);
	text = dq(c->input);
	ck_assert_int_eq(up_json_parse(text, strlen(text), 32, &doc), UP_OK);
	free(text);
	rc = c->proto == OSMAND_JSON ? up_tracker_osmand_json(doc, NOW, r, e)
	     : c->proto == OWNTRACKS ? up_tracker_owntracks(doc, c->header, NOW, r, e)
	                             : up_tracker_overland(doc, NOW, r, e);
	cJSON_Delete(doc);
	return rc;
}

/* got must equal the document want (' for "), member for member. */
static void same(const struct dec_case *c, const char *what, const cJSON *got, const char *want)
{
	char *text = dq(want), *printed = cJSON_PrintUnformatted(got);
	cJSON *w = cJSON_Parse(text);

	ck_assert_msg(w != NULL, "line %d: bad expected JSON", c->line);
	ck_assert_msg(got != NULL && cJSON_Compare(got, w, 1), "line %d: %s: %s is %s, want %s",
	              c->line, c->desc, what, printed != NULL ? printed : "none", text);
	cJSON_Delete(w);
	free(printed);
	free(text);
}

START_TEST(test_decode)
{
	const struct dec_case *c = &cases[_i];
	struct up_track_report r;
	struct up_error e = {0};
	enum up_err rc = decode(c, &r, &e);

	ck_assert_msg(rc == c->want, "line %d: %s: got %s, want %s (%s)", c->line, c->desc,
	              up_err_code(rc), up_err_code(c->want), e.message);
	if (rc == UP_OK) {
		struct up_position *p = NULL;
		struct up_error pe = {0};
		size_t n = 0;

		ck_assert_msg(strcmp(r.device, c->device) == 0,
		              "line %d: %s: device '%s', want '%s'", c->line, c->desc, r.device,
		              c->device);
		ck_assert_msg((c->position == NULL) == (r.positions == NULL),
		              "line %d: %s: positions %s", c->line, c->desc,
		              r.positions != NULL ? "made" : "missing");
		ck_assert_msg((c->alert == NULL) == (r.alert == NULL), "line %d: %s: alert %s",
		              c->line, c->desc, r.alert != NULL ? "made" : "missing");
		if (c->position != NULL) {
			same(c, "the position", cJSON_GetArrayItem(r.positions, 0), c->position);
			/* What a decoder makes, the position checks accept. */
			ck_assert_msg(
			        up_positions_check(r.positions, NOW, 300, &p, &n, &pe) == UP_OK,
			        "line %d: %s: the position checks refuse it", c->line, c->desc);
			up_positions_free(p, n);
		}
		if (c->alert != NULL)
			same(c, "the alert", r.alert, c->alert);
	} else if (c->field != NULL) {
		const cJSON *f =
		        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(e.details, 0), "field");

		ck_assert_msg(cJSON_IsString(f) && strcmp(f->valuestring, c->field) == 0,
		              "line %d: %s: detail field %s, want %s", c->line, c->desc,
		              cJSON_IsString(f) ? f->valuestring : "none", c->field);
	}
	up_error_reset(&e);
	up_track_report_free(&r);
}
END_TEST

/*
 * Overland read in place (up_tracker_overland_text) from text a tree would
 * print otherwise: escapes, white space, odd shapes.  Each must decode as
 * the same text parsed and printed again does (up_tracker_overland): the
 * same error, device, positions and details.
 */
static const struct {
	int line;
	const char *desc, *text; /* ' for " */
	enum up_err want;
} texts[] = {
        {__LINE__, "escaped names and values, a surrogate pair in an attribute",
         "{'loc\\u0061tions':[{'type':'Feature','geometry':{'coordinates':[2,1]},"
         "'properties':{'time\\u0073tamp':'2025-12-31T15:00:00Z','sp\\u0065ed':3,"
         "'device_id':'v\\u0061n','n\\u00e4me':'caf\\u00e9 \\ud83d\\ude00 \\\\ \\/ \\'q\\'',"
         "'motion':['a\\tb','c']}}]}",
         UP_OK},
        {__LINE__, "white space everywhere, a third coordinate",
         " { 'locations' : [ { 'properties' : { 'timestamp' : '2025-12-31T15:00:00Z' , "
         "'speed' : null } ,\n 'geometry' : { 'coordinates' : [ 2 , 1 , 5e0 ] } } ] }\r\n",
         UP_OK},
        {__LINE__, "coordinates as an object: its first two values",
         "{'locations':[{'geometry':{'coordinates':{'a':2.5,'b':-1E-2}},"
         "'properties':{'timestamp':'2025-12-31T15:00:00Z'}}]}",
         UP_OK},
        {__LINE__, "duplicate names: the first properties, geometry and timestamp count",
         "{'locations':[{'properties':{'timestamp':'2025-12-31T15:00:00Z','timestamp':1,"
         "'altitude':[1],'altitude':2},'properties':{},'geometry':{'coordinates':[2,1]},"
         "'geometry':{}}],'locations':[]}",
         UP_ERR_VALIDATION},
        {__LINE__, "attributes of every kind; objects and nulls are not ones",
         "{'locations':[{'geometry':{'coordinates':[2,1]},'properties':{'timestamp':"
         "'2025-12-31T15:00:00Z','a':true,'b':false,'c':null,'d':{'x':1},'e':[[1],'x',{}],"
         "'f':-0.5e+3,'a_name_longer_than_any_of_ours_by_far':1}}]}",
         UP_OK},
        {__LINE__, "points that are not Features and one without anything",
         "{'locations':[1,'x',[],{},null]}", UP_ERR_VALIDATION},
        {__LINE__, "a device_id that cannot be a uniqueId",
         "{'locations':[{'properties':{'device_id':'a b'}}]}", UP_ERR_VALIDATION},
        {__LINE__, "locations not an array", "{'locations':{'a':1}}", UP_ERR_BAD_DATA},
        {__LINE__, "no object at all", "[{'locations':[{}]}]", UP_ERR_BAD_DATA},
};

/* Decode text (' for ") both ways; rc of the text reader. */
static enum up_err both_ways(int line, const char *input, struct up_track_report *r,
                             struct up_error *e)
{
	struct up_track_report tr;
	struct up_error te = {0};
	char *text = dq(input);
	cJSON *doc = NULL;
	enum up_err rc, trc;

	ck_assert_int_eq(up_json_validate(text, strlen(text), 32, NULL), UP_OK);
	ck_assert_int_eq(up_json_parse(text, strlen(text), 32, &doc), UP_OK);
	rc = up_tracker_overland_text(text, strlen(text), NOW, r, e);
	trc = up_tracker_overland(doc, NOW, &tr, &te);
	ck_assert_msg(rc == trc, "line %d: %s in place, %s from a tree", line, up_err_code(rc),
	              up_err_code(trc));
	ck_assert_msg(strcmp(r->device, tr.device) == 0, "line %d: device %s, %s", line, r->device,
	              tr.device);
	ck_assert_msg((r->positions == NULL && tr.positions == NULL) ||
	                      cJSON_Compare(r->positions, tr.positions, 1),
	              "line %d: the positions differ", line);
	ck_assert_msg((e->details == NULL && te.details == NULL) ||
	                      cJSON_Compare(e->details, te.details, 1),
	              "line %d: the details differ", line);
	up_track_report_free(&tr);
	up_error_reset(&te);
	cJSON_Delete(doc);
	free(text);
	return rc;
}

START_TEST(test_overland_text)
{
	struct up_track_report r;
	struct up_error e = {0};
	enum up_err rc = both_ways(texts[_i].line, texts[_i].text, &r, &e);

	ck_assert_msg(rc == texts[_i].want, "line %d: %s: got %s, want %s", texts[_i].line,
	              texts[_i].desc, up_err_code(rc), up_err_code(texts[_i].want));
	up_track_report_free(&r);
	up_error_reset(&e);
}
END_TEST

/* n points (the first naming device) as Overland text with ' for ". */
static char *points(int n, const char *device)
{
	static const char one[] = "%s{'geometry':{'coordinates':[2,1]},'properties':{'timestamp':"
	                          "'2025-12-31T15:00:00Z'%s%s%s}}";
	size_t size = (size_t)n * sizeof(one) + 64 + strlen(device), used;
	char *t = malloc(size);
	int i;

	ck_assert_ptr_nonnull(t);
	used = (size_t)snprintf(t, size, "{'locations':[");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(t + used, size - used, one, i == 0 ? "" : ",",
		                         i == 0 ? ",'device_id':'" : "", i == 0 ? device : "",
		                         i == 0 ? "'" : "");
	snprintf(t + used, size - used, "]}");
	return t;
}

/* 1,000 points are a batch; 1,001 are not, whatever else is wrong. */
static const struct {
	int line, n;
	const char *device;
	enum up_err want;
} counts[] = {
        {__LINE__, 1000, "van", UP_OK},
        {__LINE__, 1001, "van", UP_ERR_BAD_DATA},
        {__LINE__, 1001, "a b", UP_ERR_BAD_DATA},
        {__LINE__, 1000, "a b", UP_ERR_VALIDATION},
};

START_TEST(test_overland_count)
{
	char *text = points(counts[_i].n, counts[_i].device);
	struct up_track_report r;
	struct up_error e = {0};
	enum up_err rc = both_ways(counts[_i].line, text, &r, &e);

	ck_assert_msg(rc == counts[_i].want, "line %d: %d points: got %s, want %s", counts[_i].line,
	              counts[_i].n, up_err_code(rc), up_err_code(counts[_i].want));
	ck_assert_msg(rc != UP_OK || cJSON_GetArraySize(r.positions) == counts[_i].n,
	              "line %d: %d positions", counts[_i].line, cJSON_GetArraySize(r.positions));
	up_track_report_free(&r);
	up_error_reset(&e);
	free(text);
}
END_TEST

/* The time forms of tracker_common.c, one by one. */
static const struct {
	int line;
	const char *in, *out; /* out NULL: refused */
} times[] = {
        {__LINE__, "1767225600", "2026-01-01T00:00:00.000Z"},
        {__LINE__, "1767225600500", "2026-01-01T00:00:00.500Z"},
        {__LINE__, "2026-01-01 00:00:00", "2026-01-01T00:00:00Z"},
        {__LINE__, "2026-01-01T01:00:00+0100", "2026-01-01T01:00:00+01:00"},
        {__LINE__, "2026-01-01T01:00:00.250-0130", "2026-01-01T01:00:00.250-01:30"},
        {__LINE__, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"},
        {__LINE__, "", NULL},
        {__LINE__, "12345678901234567", NULL},
        {__LINE__, "01/01/2026", NULL},
};

START_TEST(test_times)
{
	char buf[48] = "";
	int rc = up_tracker_time(times[_i].in, buf, sizeof(buf));

	if (times[_i].out == NULL) {
		ck_assert_msg(rc != 0, "line %d: '%s' accepted as %s", times[_i].line, times[_i].in,
		              buf);
	} else {
		ck_assert_msg(rc == 0 && strcmp(buf, times[_i].out) == 0,
		              "line %d: '%s' gave %d '%s', want '%s'", times[_i].line, times[_i].in,
		              rc, buf, times[_i].out);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracker_decode");
	TCase *tc = tcase_create("decoders");

	tcase_add_loop_test(tc, test_decode, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_times, 0, (int)(sizeof(times) / sizeof(times[0])));
	tcase_add_loop_test(tc, test_overland_text, 0, (int)(sizeof(texts) / sizeof(texts[0])));
	tcase_add_loop_test(tc, test_overland_count, 0, (int)(sizeof(counts) / sizeof(counts[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
