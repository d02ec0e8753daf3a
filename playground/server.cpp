// tapegrad-playground: train a small network in the browser, watch it learn, and step through
// one backward pass of the real tape. Serves one page on 127.0.0.1 (see --help).
#include "gallery.hpp"
#include "json.hpp"
#include "session.hpp"

#include <httplib.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace playground {
struct Asset {
  const char* path;
  const char* type;
  const unsigned char* data;
  std::size_t size;
};
extern const Asset assets[];  // the page's files, embedded at build time (assets.cpp)
extern const std::size_t asset_count;
}  // namespace playground

using namespace playground;

namespace {

struct Run {
  std::mutex mutex;  // one request at a time per run
  std::unique_ptr<Session> session;
};

// The runs the page created; the oldest goes when there are more than kMaxRuns.
constexpr std::size_t kMaxRuns = 8;
std::mutex runs_mutex;
std::map<long, std::shared_ptr<Run>> runs;
long next_id = 1;

// With the charset the type is not the bare "application/json" that httplib compresses: its
// Brotli (quality 11) took 250 ms for a 50 kB view, for nothing on localhost.
void reply(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json, "application/json; charset=utf-8");
}
void error(httplib::Response& res, int status, const std::string& message) {
  Json j;
  j.begin_object().key("error").value(message).end_object();
  reply(res, status, j.str());
}

// Query parameters (or form fields); names outside `allowed` are an error, so a typo is seen.
struct Params {
  const httplib::Request& req;
  const char* operator()(const char* name) const {
    auto it = req.params.find(name);
    return it == req.params.end() ? nullptr : it->second.c_str();
  }
  void only(const std::set<std::string>& allowed) const {
    for (const auto& [name, value] : req.params)
      if (!allowed.count(name)) throw BadRequest("unknown setting '" + name + "'");
    for (const auto& name : allowed)
      if (req.params.count(name) > 1) throw BadRequest("setting '" + name + "' given twice");
  }
};

std::shared_ptr<Run> find_run(const httplib::Request& req) {
  long id = std::strtol(req.matches[1].str().c_str(), nullptr, 10);
  std::lock_guard<std::mutex> lock(runs_mutex);
  auto it = runs.find(id);
  if (it == runs.end()) return nullptr;
  return it->second;
}

// Runs `body` and turns the exceptions into answers: 400 for bad settings, 422 for refused work,
// 500 for anything else (with its message); the server goes on either way.
template <class F> void guarded(httplib::Response& res, F&& body) {
  try {
    body();
  } catch (const BadRequest& e) {
    error(res, 400, e.what());
  } catch (const Refused& e) {
    error(res, 422, e.what());
  } catch (const std::exception& e) {
    error(res, 500, std::string("internal error: ") + e.what());
  }
}

// A handler on one run: 404 when it does not exist, its mutex held while `body` runs.
template <class F> auto on_run(F body) {
  return [body](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      std::shared_ptr<Run> run = find_run(req);
      if (!run) return error(res, 404, "no run " + req.matches[1].str() + " (create one first)");
      std::lock_guard<std::mutex> lock(run->mutex);
      Json j;
      j.begin_object();
      body(Params{req}, *run->session, j);
      reply(res, 200, j.end_object().str());
    });
  };
}

void write_config(Json& j, const Config& c) {
  std::string hidden;
  for (int w : c.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(w);
  j.key("config").begin_object().key("dataset").value(c.dataset).key("noise").value(c.noise)
      .key("samples").value(c.samples).key("test_fraction").value(c.test_fraction)
      .key("hidden").value(hidden).key("activation").value(c.activation).key("loss").value(c.loss)
      .key("optimizer").value(c.optimizer).key("lr").value(c.lr).key("batch").value(c.batch)
      .key("l2").value(c.l2).key("seed").value(long(c.seed)).end_object();
}

int usage(int code) {
  (code ? std::cerr : std::cout)
      << "usage: tapegrad-playground [--port N] [--host ADDRESS]\n"
         "  --port N        port to listen on (default 8000; 0 picks a free one)\n"
         "  --host ADDRESS  address to bind (default 127.0.0.1: this machine only)\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return usage(0);
    if ((a == "--port" || a == "--host") && i + 1 < argc) {
      std::string v = argv[++i];
      if (a == "--host") { host = v; continue; }
      char* end = nullptr;
      long p = std::strtol(v.c_str(), &end, 10);
      if (*end || p < 0 || p > 65535) {
        std::cerr << "tapegrad-playground: --port " << v << " is not a port number (0-65535)\n";
        return 2;
      }
      port = int(p);
    } else {
      std::cerr << "tapegrad-playground: unknown or incomplete option '" << a << "'\n";
      return usage(2);
    }
  }
  tg::set_num_threads(1);  // small networks: threads only add overhead; runs share the cores

  httplib::Server server;
  // httplib's default also sets SO_REUSEPORT, with which a second playground on the same port
  // would start too and share the requests: only SO_REUSEADDR, so it fails to bind instead.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  server.set_tcp_nodelay(true);  // small answers go out at once (no Nagle + delayed-ACK stall)
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(5, 0);
  for (std::size_t i = 0; i < asset_count; ++i) {
    const Asset& a = assets[i];
    server.Get(a.path, [&a](const httplib::Request&, httplib::Response& res) {
      res.set_content(reinterpret_cast<const char*>(a.data), a.size, a.type);
    });
  }
  server.Get("/gallery.svg", [](const httplib::Request&, httplib::Response& res) {
    static const std::string svg = gallery_svg(loss_gallery());
    res.set_content(svg, "image/svg+xml; charset=utf-8");
  });

  server.Post("/api/runs", [](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      Params params{req};
      params.only({"dataset", "noise", "samples", "test_fraction", "hidden", "activation",
                   "loss", "optimizer", "lr", "batch", "l2", "seed"});
      Config config = parse_config(params);
      auto run = std::make_shared<Run>();
      long id;
      {
        std::lock_guard<std::mutex> lock(runs_mutex);  // also serialises manual_seed
        run->session = std::make_unique<Session>(config);
        id = next_id++;
        runs[id] = run;
        while (runs.size() > kMaxRuns) runs.erase(runs.begin());
      }
      std::lock_guard<std::mutex> lock(run->mutex);
      Json j;
      j.begin_object().key("id").value(id);
      write_config(j, config);
      run->session->write_data(j);
      run->session->write_status(j);
      j.key("view").begin_object();
      run->session->write_view(j);
      j.end_object();
      reply(res, 201, j.end_object().str());
    });
  });
  server.Post(R"(/api/runs/(\d+)/train)", on_run([](const Params& p, Session& s, Json& j) {
    p.only({"steps", "view"});
    int steps = p("steps") ? int(detail::number("steps", p("steps"), 1, 500)) : 1;
    bool ok = s.train(steps);
    s.write_status(j);
    if (!ok) j.key("message").value("the loss became NaN or infinite: lower the learning rate and reset");
    if (p("view") && std::strcmp(p("view"), "0") != 0) {
      j.key("view").begin_object();
      s.write_view(j);
      j.end_object();
    }
  }));
  server.Get(R"(/api/runs/(\d+))", on_run([](const Params& p, Session& s, Json& j) {
    p.only({});
    write_config(j, s.config());
    s.write_data(j);
    s.write_status(j);
    j.key("view").begin_object();
    s.write_view(j);
    j.end_object();
  }));
  server.Post(R"(/api/runs/(\d+)/backward)", on_run([](const Params& p, Session& s, Json& j) {
    p.only({"sample"});
    int sample = p("sample") ? int(detail::number("sample", p("sample"), -1, 1e6)) : -1;
    s.write_backward(j, sample);
  }));
  server.Get("/api/gallery", [](const httplib::Request&, httplib::Response& res) {
    Json j;
    j.begin_array();
    for (const LossCurve& c : loss_gallery(81))
      j.begin_object().key("name").value(c.name).key("formula").value(c.formula)
          .key("when").value(c.when).key("axis").value(c.axis).key("target").value(c.target)
          .key("prediction").numbers(c.prediction).key("loss").numbers(c.loss)
          .key("derivative").numbers(c.derivative).end_object();
    reply(res, 200, j.end_array().str());
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty())  // httplib's own errors (404, 405, 413, ...): say what went wrong
      error(res, res.status, "cannot " + req.method + " " + req.path + " (HTTP " +
                                 std::to_string(res.status) + ")");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { error(res, 500, "internal error"); });

  int requested = port;
  if (port == 0) port = server.bind_to_any_port(host);
  else if (!server.bind_to_port(host, port)) port = -1;
  if (port < 0) {
    std::cerr << "tapegrad-playground: cannot listen on " << host << ":" << requested << "\n";
    return 1;
  }
  std::cout << "tapegrad playground: http://" << (host == "0.0.0.0" ? "127.0.0.1" : host) << ":"
            << port << "/" << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
