// The HTTP transport and the typed API calls, against a scripted fake daemon on a
// unix socket: what goes over the wire, and how errors come back.
#include <doctest/doctest.h>

#include <fstream>

#include "engine_client.hpp"
#include "fake_daemon.hpp"
#include "temp_dir.hpp"

using namespace platbench::engine_api;

namespace {

struct Fixture {
    test::TempDir dir{"platbench-engine-client"};
    test::FakeDaemon daemon{dir.path() / "docker.sock"};
    EngineClient client{daemon.path().string()};
};

}  // namespace

TEST_CASE("a request goes out as HTTP/1.1 with host, length, type and body") {
    Fixture f;
    f.daemon.respond(201, R"({"Id":"c0ffee","Warnings":[]})");
    f.daemon.start();
    ContainerSpec spec;
    spec.image = "img:1";
    spec.command = {"/usr/bin/platbench-runner"};
    CHECK(f.client.create_container("platbench-x 1", spec, within(10)) == "c0ffee");
    const auto requests = f.daemon.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].head.rfind("POST /v1.41/containers/create?name=platbench-x%201 HTTP/1.1\r\n", 0) == 0);
    CHECK(requests[0].head.find("Host: docker") != std::string::npos);
    CHECK(requests[0].head.find("Content-Type: application/json") != std::string::npos);
    CHECK(nlohmann::json::parse(requests[0].body) == container_create_body(spec));
}

TEST_CASE("a chunked answer is read whole") {
    Fixture f;
    f.daemon.respond(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") +
                     "5\r\n[{\"Id\r\n" + "7\r\n\":\"a\"}]\r\n" + "0\r\n\r\n");
    f.daemon.start();
    const std::vector<ListedContainer> listed = f.client.labelled_containers("platbench", within(10));
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == "a");
    CHECK(listed[0].name.empty());  // no "Names" in this answer
    CHECK(f.daemon.requests()[0].head.find("all=1&filters=") != std::string::npos);
}

TEST_CASE("HTTP errors become EngineError with the daemon's message and status") {
    Fixture f;
    f.daemon.respond(404, R"({"message":"No such image: localhost/platbench-bundle:x"})");
    f.daemon.respond(500, R"({"message":"driver failed"})");
    f.daemon.start();
    CHECK_FALSE(f.client.image_exists("localhost/platbench-bundle:x", within(10)));  // 404 is an answer here
    try {
        f.client.start_container("abc", within(10));
        FAIL("start should have thrown");
    } catch (const EngineError& e) {
        CHECK(e.status() == 500);
        CHECK(std::string(e.what()).find("driver failed") != std::string::npos);
        CHECK(std::string(e.what()).find("/containers/abc/start") != std::string::npos);
    }
}

TEST_CASE("removing what is already gone is not an error") {
    Fixture f;
    f.daemon.respond(404, R"({"message":"No such container: abc"})");
    f.daemon.respond(409, R"({"message":"Container abc is not running"})");
    f.daemon.respond(404, R"({"message":"no such volume"})");
    f.daemon.start();
    CHECK_NOTHROW(f.client.remove_container("abc", within(10)));
    CHECK_NOTHROW(f.client.kill_container("abc", within(10)));
    CHECK_NOTHROW(f.client.remove_volume("v", within(10)));
    const auto requests = f.daemon.requests();
    CHECK(requests[0].head.rfind("DELETE /v1.41/containers/abc?force=1&v=1 ", 0) == 0);
    CHECK(requests[1].head.rfind("POST /v1.41/containers/abc/kill?signal=SIGKILL ", 0) == 0);
}

TEST_CASE("malformed JSON from the daemon is a ResponseError, not a crash") {
    Fixture f;
    f.daemon.respond(200, R"({"StatusCode":)");
    f.daemon.respond(200, "not json at all");
    f.daemon.start();
    CHECK_THROWS_AS(f.client.wait_container("abc", within(10)), ResponseError);
    CHECK_THROWS_AS(f.client.labelled_volumes("platbench", within(10)), ResponseError);
}

TEST_CASE("image import streams the tarball and reads errors out of the progress stream") {
    Fixture f;
    const auto tarball = f.dir.path() / "root.tar";
    std::ofstream(tarball) << "tar bytes";
    f.daemon.respond(200, R"({"status":"sha256:1"})" "\n");
    f.daemon.respond(200, R"({"status":"Importing"})" "\n" R"({"errorDetail":{},"error":"no space left on device"})");
    f.daemon.start();
    CHECK_NOTHROW(f.client.import_image(tarball, "localhost/platbench-bundle:t1", {"LABEL platbench=1"}, within(10)));
    CHECK_THROWS_WITH_AS(f.client.import_image(tarball, "localhost/platbench-bundle:t2", {}, within(10)),
                         doctest::Contains("no space left on device"), EngineError);
    const auto requests = f.daemon.requests();
    CHECK(requests[0].body == "tar bytes");
    CHECK(requests[0].head.find("Content-Type: application/x-tar") != std::string::npos);
    CHECK(requests[0].head.find("repo=localhost%2Fplatbench-bundle%3At1&changes=LABEL%20platbench%3D1 ") !=
          std::string::npos);
}

TEST_CASE("no daemon at the socket: Unreachable, saying where") {
    test::TempDir dir{"platbench-engine-client"};
    const EngineClient client((dir.path() / "absent.sock").string());
    try {
        client.ping(within(5));
        FAIL("ping should have thrown");
    } catch (const HttpCallError& e) {
        CHECK(e.failure() == HttpFailure::Unreachable);
        CHECK(std::string(e.what()).find("absent.sock") != std::string::npos);
    }
}

TEST_CASE("a daemon that never answers: TimedOut at the deadline") {
    Fixture f;
    f.daemon.respond(std::nullopt);
    f.daemon.start();
    const auto start = Clock::now();
    try {
        f.client.ping(within(0.3));
        FAIL("ping should have thrown");
    } catch (const HttpCallError& e) {
        CHECK(e.failure() == HttpFailure::TimedOut);
    }
    CHECK(Clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("the cancel flag ends a blocked call: Cancelled") {
    Fixture f;
    f.daemon.respond(std::nullopt);
    f.daemon.start();
    std::atomic<bool> cancel{false};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    try {
        f.client.wait_container("abc", within(60, &cancel));
        FAIL("wait should have thrown");
    } catch (const HttpCallError& e) {
        CHECK(e.failure() == HttpFailure::Cancelled);
    }
    canceller.join();
}

TEST_CASE("an answer larger than the cap, or cut short, is Broken") {
    test::TempDir dir{"platbench-engine-client"};
    test::FakeDaemon daemon{dir.path() / "docker.sock"};
    daemon.respond(200, std::string(2048, 'x'));
    daemon.respond("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    daemon.start();
    const UnixHttpClient http(daemon.path().string(), 1024);
    HttpRequest request;
    request.method = "GET";
    request.target = "/_ping";
    for (int i = 0; i < 2; ++i) {
        try {
            const HttpResponse response = http.send(request, within(10));
            FAIL("send should have thrown, answer " << i << " gave " << response.body.size() << " bytes");
        } catch (const HttpCallError& e) {
            CHECK(e.failure() == HttpFailure::Broken);
        }
    }
}
