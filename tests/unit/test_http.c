/* test_http.c - HTTP dissector: User-Agent and Host about the client, Server about the server,
 * credentials in clear (Basic auth, a login form) reported with the user name and never the
 * password, writes as operations with an error status as their result, plain HTTP as a finding
 * once per flow, and the framing: Content-Length bodies, chunked bodies, a long body that is not
 * followed, pipelined messages, a message split over segments that arrive out of order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "dtest.h"

extern const struct dissector dissector_http;

#define PASSWORD "Sup3rS3cret!"

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_http, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send_str(int dir, const char *s)
{
    dtest_tcp(&T, dir, s, strlen(s));
}

static void assert_no_secret(const char *secret)
{
    for (int i = 0; i < T.nattr; i++)
        assert_null(strstr(T.attrs[i].value, secret));
    for (int i = 0; i < T.nop; i++) {
        assert_null(strstr(T.ops[i].target, secret));
        assert_null(strstr(T.ops[i].result, secret));
    }
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, secret));
}

static const struct dtest_attr *find_attr(enum attr_field f)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f)
            return &T.attrs[i];
    return NULL;
}

static void test_basic_auth(void **state)
{
    (void)state;
    /* "admin:Sup3rS3cret!" in base64 */
    send_str(0, "GET /status.htm?session=abc HTTP/1.1\r\n"
                "Host: plc-line3.plant.local\r\n"
                "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n"
                "Authorization: Basic YWRtaW46U3VwM3JTM2NyZXQh\r\n"
                "\r\n");
    assert_int_equal(T.nmalformed, 0);
    const struct dtest_attr *ua = find_attr(F_USER_AGENT);
    assert_non_null(ua);
    assert_string_equal(ua->value, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    assert_false(ua->is_server);
    assert_string_equal(ua->source, "http request");
    const struct dtest_attr *host = find_attr(F_HTTP_HOST);
    assert_non_null(host);
    assert_string_equal(host->value, "plc-line3.plant.local");
    assert_false(host->is_server);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    for (int i = 0; i < T.nfinding; i++) {
        if (!strcmp(T.findings[i].a, "cleartext-credentials")) {
            assert_string_equal(T.findings[i].b, "http basic auth user admin");
            assert_false(T.findings[i].is_server);
        } else {
            assert_string_equal(T.findings[i].b, "plain http web server");
            assert_true(T.findings[i].is_server);
        }
    }
    const struct dtest_op *op = dtest_op_find(&T, OP_AUTH);
    assert_non_null(op);
    assert_string_equal(op->function, "basic auth");
    assert_string_equal(op->target, "/status.htm"); /* the query is never kept */
    send_str(1, "HTTP/1.1 401 Unauthorized\r\n"
                "Server: Siemens Embedded Web Server\r\n"
                "WWW-Authenticate: Basic realm=\"PLC\"\r\n"
                "Content-Length: 0\r\n"
                "\r\n");
    const struct dtest_attr *srv = find_attr(F_HTTP_SERVER);
    assert_non_null(srv);
    assert_string_equal(srv->value, "Siemens Embedded Web Server");
    assert_true(srv->is_server);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[1].result, "401 Unauthorized");
    /* the same values again: not reported twice; plain http reported once per flow */
    int nattr = T.nattr, nfind = T.nfinding;
    send_str(0, "GET /index.htm HTTP/1.1\r\nHost: plc-line3.plant.local\r\n"
                "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n\r\n");
    send_str(1, "HTTP/1.1 200 OK\r\nServer: Siemens Embedded Web Server\r\n"
                "Content-Length: 5\r\n\r\nhello");
    assert_int_equal(T.nattr, nattr);
    assert_int_equal(T.nfinding, nfind);
    assert_int_equal(T.nop, 2); /* reads are not operations */
    assert_no_secret(PASSWORD);
    assert_no_secret("YWRtaW46U3VwM3JTM2NyZXQh");
}

static void test_form_login_and_write(void **state)
{
    (void)state;
    const char *body = "username=op%2Dline3&password=" PASSWORD "&lang=en";
    char req[512];
    snprintf(req, sizeof req,
             "POST /login HTTP/1.1\r\nHost: 10.0.0.2\r\n"
             "Content-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    /* the body arrives in a segment of its own */
    size_t head = strlen(req) - strlen(body);
    dtest_tcp(&T, 0, req, head);
    assert_int_equal(T.nop, 0);
    dtest_tcp(&T, 0, req + head, strlen(body));
    assert_null(dtest_attr(&T, F_HTTP_HOST)); /* an address literal says nothing */
    bool found = false;
    for (int i = 0; i < T.nfinding; i++)
        if (!strcmp(T.findings[i].a, "cleartext-credentials")) {
            assert_string_equal(T.findings[i].b, "http form login user op-line3");
            found = true;
        }
    assert_true(found);
    const struct dtest_op *op = dtest_op_find(&T, OP_AUTH);
    assert_non_null(op);
    assert_string_equal(op->function, "form login");
    assert_string_equal(op->target, "/login");
    send_str(1, "HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(T.nop, 1);
    /* a configuration write: a POST that is not a login */
    send_str(0, "POST /api/setpoint?token=xyz HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 12\r\n\r\n{\"sp\": 42.5}");
    op = dtest_op_find(&T, OP_CONFIG_WRITE);
    assert_non_null(op);
    assert_string_equal(op->function, "POST");
    assert_string_equal(op->target, "/api/setpoint");
    send_str(1, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "403 Forbidden");
    assert_no_secret(PASSWORD);
    assert_no_secret("xyz");
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    const char *resp = "HTTP/1.0 200 OK\r\nServer: WAGO 750-8202 Webserver\r\nContent-Length: "
                       "10\r\n\r\n0123456789";
    size_t n = strlen(resp), cut = 20;
    dtest_tcp(&T, 0, "GET / HTTP/1.0\r\n\r\n", 18);
    dtest_tcp_at(&T, 1, (uint32_t)cut, resp + cut, n - cut); /* the second half first */
    assert_null(dtest_attr(&T, F_HTTP_SERVER));
    dtest_tcp_at(&T, 1, 0, resp, cut);
    assert_string_equal(dtest_attr(&T, F_HTTP_SERVER), "WAGO 750-8202 Webserver");
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_HTTP);
}

static void test_chunked_and_pipelined(void **state)
{
    (void)state;
    /* a chunked response and a second response in the same segment */
    send_str(0, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    send_str(1, "HTTP/1.1 200 OK\r\nServer: one\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nHTTP/\r\n"
                "1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                "0\r\nX-Trailer: t\r\n\r\n"
                "HTTP/1.1 200 OK\r\nServer: two\r\nContent-Length: 3\r\n\r\nxyz");
    assert_int_equal(dtest_attr_count(&T, F_HTTP_SERVER), 2);
    assert_string_equal(T.attrs[T.nattr - 1].value, "two");
    /* a body longer than what is framed: its bytes are skipped, the next message found */
    char big[70000];
    int h = snprintf(big, sizeof big,
                     "HTTP/1.1 200 OK\r\nServer: three\r\n"
                     "Content-Length: 60000\r\n\r\n");
    memset(big + h, 'A', 60000);
    for (size_t off = 0; off < (size_t)h + 60000; off += 1400) {
        size_t k = (size_t)h + 60000 - off < 1400 ? (size_t)h + 60000 - off : 1400;
        dtest_tcp(&T, 1, big + off, k);
    }
    send_str(1, "HTTP/1.1 204 No Content\r\nServer: four\r\n\r\n");
    assert_int_equal(dtest_attr_count(&T, F_HTTP_SERVER), 4);
    assert_string_equal(T.attrs[T.nattr - 1].value, "four");
    assert_int_equal(T.nmalformed, 0);
}

static void test_hostile(void **state)
{
    (void)state;
    /* not HTTP at all on port 80: taken as opaque, nothing reported */
    static const uint8_t junk[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
    dtest_tcp(&T, 0, junk, sizeof junk);
    send_str(1, "SSH-2.0-OpenSSH_8.9\r\n");
    assert_int_equal(T.nattr + T.nop + T.nfinding, 0);
    /* a header block that never ends: cut at 16 KiB and counted */
    char huge[17000];
    int h = snprintf(huge, sizeof huge, "GET / HTTP/1.1\r\nUser-Agent: ua\r\nX-Pad: ");
    memset(huge + h, 'p', sizeof huge - (size_t)h);
    dtest_tcp(&T, 0, huge, sizeof huge);
    assert_int_equal(T.nmalformed, 1);
    assert_string_equal(dtest_attr(&T, F_USER_AGENT), "ua");
    /* direct parse of truncated messages and odd lines: no crash */
    static const char *const bad[] = {
        "GET / HTTP/1.1\r\nAuthorization: Basic\r\n\r\n",
        "GET / HTTP/1.1\r\nAuthorization: Basic !!!!\r\nHost:\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty name\r\nno colon\r\n\r\n",
        "HTTP/1.1 200\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n&&==pass",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        for (size_t n = 0; n <= strlen(bad[i]); n++)
            dtest_pdu(&T, i == 3, bad[i], n);
}

static void test_probe(void **state)
{
    (void)state;
    static const char *const yes[] = {"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
                                      "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n",
                                      "POST http://proxy.example/ HTTP/1.0\r\n\r\n"};
    static const char *const no[] = {"GET /index.html\r\n", "GETX / HTTP/1.1\r\n",
                                     "RTSP/1.0 200 OK\r\n", "HTTP/2.0 200 OK\r\n",
                                     "GET / HTTP/1.1"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        struct rd r = rd_init(yes[i], strlen(yes[i]));
        assert_true(dissector_http.probe(&r, L4_TCP));
        assert_false(dissector_http.probe(&r, L4_UDP));
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        struct rd r = rd_init(no[i], strlen(no[i]));
        assert_false(dissector_http.probe(&r, L4_TCP));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_login_and_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_and_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
