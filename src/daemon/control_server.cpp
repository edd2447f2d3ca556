// SPDX-License-Identifier: GPL-2.0-or-later
// The control socket server: accept, check the peer, read bounded request
// lines, hand them to the daemon, write framed replies, and drop clients
// that hang or stop reading. Everything runs on one io_context thread.
#include "mcproxy/daemon/control_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace mcproxy::daemon {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;
using error_code = boost::system::error_code;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

void set_cloexec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/// Removes a stale socket file; throws if the path is in use or is not a
/// socket. A socket nobody accepts on refuses connect() with ECONNREFUSED.
void prepare_path(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        const int err = errno;  // before building the message, which allocates
        if (err == ENOENT) return;
        throw control_error("control socket " + path + ": " + errno_text(err));
    }
    if (!S_ISSOCK(st.st_mode))
        throw control_error("control socket " + path + " exists and is not a socket (remove it or choose another path)");
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        const int socket_err = errno;
        throw control_error("control socket " + path + ": socket: " + errno_text(socket_err));
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    ::close(fd);
    if (rc == 0 || err == EAGAIN)
        throw control_error("control socket " + path + " is in use: another mcproxy is running");
    if (err != ECONNREFUSED)
        throw control_error("control socket " + path + ": cannot check the existing socket: " + errno_text(err));
    if (::unlink(path.c_str()) != 0) {
        const int unlink_err = errno;
        if (unlink_err != ENOENT)
            throw control_error("control socket " + path +
                                ": cannot remove the stale socket: " + errno_text(unlink_err));
    }
}

/// Best effort, never blocks: a fresh socket's send buffer is empty, so a
/// short error line fits.
void refuse(int fd, const std::string& message) {
    const std::string out = encode_reply(control_reply::error(message));
    [[maybe_unused]] const auto n = ::send(fd, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

bool peer_allowed(const peer_credentials& peer, uid_t owner, gid_t group, const std::vector<gid_t>& supplementary) {
    if (peer.uid == 0 || peer.uid == owner || peer.gid == group) return true;
    for (gid_t g : supplementary)
        if (g == group) return true;
    return false;
}

std::vector<gid_t> supplementary_groups(pid_t pid) {
    std::vector<gid_t> groups;
    if (pid <= 0) return groups;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    // Bounded: /proc status files have a few dozen lines.
    for (int n = 0; n < 200 && std::getline(in, line); ++n) {
        if (!line.starts_with("Groups:")) continue;
        std::istringstream words(line.substr(7));
        unsigned long g = 0;
        while (groups.size() < 65536 && words >> g) groups.push_back(static_cast<gid_t>(g));
        break;
    }
    return groups;
}

namespace {
struct session;
}

struct control_server::impl : std::enable_shared_from_this<control_server::impl> {
    impl(asio::io_context& io_, control_server_settings s, request_handler h)
        : io(io_), settings(std::move(s)), handler(std::move(h)), acceptor(io_), retry(io_) {}

    void open();
    void accept();
    void on_accept(const error_code& ec, stream::socket socket);
    void stop();
    void log(core::log_level level, const std::string& text) const {
        if (settings.log) settings.log(level, text);
    }

    asio::io_context& io;
    control_server_settings settings;
    request_handler handler;
    stream::acceptor acceptor;
    asio::steady_timer retry;  ///< accept back-off after EMFILE and the like
    std::unordered_set<std::shared_ptr<session>> sessions;
    bool stopped = false;
    bool busy_logged = false;  ///< "too many clients" logged since the last accepted one
    bool own_file = false;
    dev_t file_dev = 0;
    ino_t file_ino = 0;
    uid_t owner = 0;
    gid_t group = 0;
};

namespace {

/// One client connection. Requests are handled one at a time: the next
/// line is read only after the reply to the previous one has been written.
struct session : std::enable_shared_from_this<session> {
    session(std::shared_ptr<control_server::impl> server_, stream::socket socket_)
        : server(std::move(server_)),
          socket(std::move(socket_)),
          idle_timer(server->io),
          write_timer(server->io),
          handler_timer(server->io) {}

    void start() {
        arm_idle();
        next();
    }

    /// Handles a buffered line if there is one, otherwise reads more.
    void next() {
        if (closed) return;
        const std::size_t limit = server->settings.max_request_length;
        const auto nl = input.find('\n');
        if (nl != std::string::npos && nl < limit) {
            std::string line = input.substr(0, nl);
            input.erase(0, nl + 1);
            handle_line(line);
            return;
        }
        if (nl != std::string::npos || input.size() >= limit) {
            send(control_reply::error("request too long (limit " + std::to_string(limit) + " bytes)"), true);
            return;
        }
        read();
    }

    void read() {
        socket.async_read_some(asio::buffer(buffer), [self = shared_from_this()](const error_code& ec, std::size_t n) {
            if (self->closed) return;
            if (ec) {
                self->close();
                return;
            }
            self->input.append(self->buffer.data(), n);
            self->next();
        });
    }

    void handle_line(const std::string& line) {
        ++idle_generation;  // waiting for the daemon or the client's read is not idling
        idle_timer.cancel();
        const auto parsed = parse_request(line);
        if (const auto* err = std::get_if<std::string>(&parsed)) {
            send(control_reply::error(*err), false);
            return;
        }
        const control_request& req = std::get<control_request>(parsed);
        switch (req.command) {
            case command_kind::help: send(control_reply::success(request_help()), false); return;
            case command_kind::version: send(version_reply(req), false); return;
            case command_kind::show:
            case command_kind::reload: break;
        }
        if (!server->handler) {
            send(control_reply::error("request not supported by this daemon"), false);
            return;
        }
        const std::uint64_t seq = ++request_seq;
        awaiting = true;
        handler_timer.expires_after(server->settings.handler_timeout);
        handler_timer.async_wait([self = shared_from_this(), seq](const error_code& ec) {
            if (ec || self->closed || !self->awaiting || self->request_seq != seq) return;
            self->awaiting = false;
            self->server->log(core::log_level::warning, "control socket: no answer to a request in time");
            self->send(control_reply::error("the daemon did not answer in time"), false);
        });
        auto answered = std::make_shared<std::atomic<bool>>(false);
        std::weak_ptr<session> weak = shared_from_this();
        auto executor = server->io.get_executor();
        reply_callback reply = [weak, answered, seq, executor](control_reply r) {
            if (answered->exchange(true)) return;
            asio::post(executor, [weak, seq, r = std::move(r)]() mutable {
                if (auto self = weak.lock()) self->answer(seq, std::move(r));
            });
        };
        try {
            server->handler(req, reply);
        } catch (const std::exception& e) {
            reply(control_reply::error(std::string("internal error: ") + e.what()));
        } catch (...) {
            reply(control_reply::error("internal error"));
        }
    }

    void answer(std::uint64_t seq, control_reply r) {
        if (closed || !awaiting || seq != request_seq) return;  // late or for a timed-out request
        awaiting = false;
        handler_timer.cancel();
        if (r.body.size() > max_reply_length) r = control_reply::error("reply too long");
        send(r, false);
    }

    void send(const control_reply& r, bool close_after) {
        output = encode_reply(r);
        const std::uint64_t gen = ++write_generation;
        write_timer.expires_after(server->settings.write_timeout);
        write_timer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
            if (ec || self->closed || self->write_generation != gen || !self->writing) return;
            self->server->log(core::log_level::notice, "control socket: client does not read its reply, closing");
            self->close();
        });
        writing = true;
        asio::async_write(socket, asio::buffer(output),
                          [self = shared_from_this(), close_after](const error_code& ec, std::size_t) {
                              self->writing = false;
                              self->write_timer.cancel();
                              if (self->closed) return;
                              if (ec || close_after) {
                                  self->close();
                                  return;
                              }
                              self->arm_idle();
                              self->next();
                          });
    }

    void arm_idle() {
        const std::uint64_t gen = ++idle_generation;
        idle_timer.expires_after(server->settings.idle_timeout);
        idle_timer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
            if (ec || self->closed || self->idle_generation != gen) return;
            self->close();
        });
    }

    void close() {
        if (closed) return;
        closed = true;
        error_code ignored;
        idle_timer.cancel();
        write_timer.cancel();
        handler_timer.cancel();
        socket.shutdown(stream::socket::shutdown_both, ignored);
        socket.close(ignored);
        server->sessions.erase(shared_from_this());
    }

    std::shared_ptr<control_server::impl> server;
    stream::socket socket;
    asio::steady_timer idle_timer;
    asio::steady_timer write_timer;
    asio::steady_timer handler_timer;
    std::array<char, 4096> buffer{};
    std::string input;   ///< received bytes not yet handled (bounded by the request limit + one read)
    std::string output;  ///< the reply being written
    std::uint64_t request_seq = 0;
    std::uint64_t idle_generation = 0;
    std::uint64_t write_generation = 0;
    bool awaiting = false;
    bool writing = false;
    bool closed = false;
};

}  // namespace

void control_server::impl::open() {
    const std::string& path = settings.path;
    if (path.empty()) throw control_error("control socket path is empty");
    if (path.size() >= sizeof(sockaddr_un::sun_path))
        throw control_error("control socket path " + path + " is too long (at most " +
                            std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)");
    prepare_path(path);

    error_code ec;
    acceptor.open(stream(), ec);
    if (ec) throw control_error("control socket " + path + ": " + ec.message());
    set_cloexec(acceptor.native_handle());
    acceptor.bind(stream::endpoint(path), ec);
    if (ec) throw control_error("cannot create control socket " + path + ": " + ec.message());
    // The file exists from here on; nobody can connect before listen(), so
    // fixing its mode and group first leaves no window.
    struct stat st {};
    // errno saved before the message is built (it allocates).
    if (::lstat(path.c_str(), &st) != 0) {
        const int err = errno;
        throw control_error("control socket " + path + ": " + errno_text(err));
    }
    own_file = true;
    file_dev = st.st_dev;
    file_ino = st.st_ino;
    if (::chmod(path.c_str(), settings.mode) != 0) {
        const int err = errno;
        throw control_error("control socket " + path + ": chmod: " + errno_text(err));
    }
    if (settings.group && ::chown(path.c_str(), static_cast<uid_t>(-1), *settings.group) != 0) {
        const int err = errno;
        throw control_error("control socket " + path + ": chown to group " + std::to_string(*settings.group) +
                            ": " + errno_text(err));
    }
    if (::lstat(path.c_str(), &st) != 0) {
        const int err = errno;
        throw control_error("control socket " + path + ": " + errno_text(err));
    }
    owner = st.st_uid;
    group = st.st_gid;
    acceptor.listen(static_cast<int>(settings.max_clients) + 4, ec);
    if (ec) throw control_error("control socket " + path + ": listen: " + ec.message());
}

void control_server::impl::accept() {
    if (stopped) return;
    acceptor.async_accept([self = shared_from_this()](const error_code& ec, stream::socket socket) {
        self->on_accept(ec, std::move(socket));
    });
}

void control_server::impl::on_accept(const error_code& ec, stream::socket socket) {
    if (stopped) return;
    if (ec) {
        if (ec == asio::error::operation_aborted) return;
        // Out of descriptors and the like: try again later instead of spinning.
        log(core::log_level::warning, "control socket: accept: " + ec.message());
        retry.expires_after(std::chrono::milliseconds(200));
        retry.async_wait([self = shared_from_this()](const error_code& e) {
            if (!e) self->accept();
        });
        return;
    }
    const int fd = socket.native_handle();
    set_cloexec(fd);
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        const int err = errno;  // before building the message, which allocates
        log(core::log_level::warning, "control socket: cannot read peer credentials: " + errno_text(err));
        refuse(fd, "permission denied");
    } else if (const peer_credentials peer{cred.pid, cred.uid, cred.gid};
               !peer_allowed(peer, owner, group, supplementary_groups(cred.pid))) {
        log(core::log_level::notice, "control socket: refused uid " + std::to_string(cred.uid) + " (pid " +
                                         std::to_string(cred.pid) + "): not the owner or in the socket's group");
        refuse(fd, "permission denied");
    } else if (sessions.size() >= settings.max_clients) {
        // Once per busy spell: a flood of connections must not flood the log.
        if (!busy_logged)
            log(core::log_level::notice, "control socket: " + std::to_string(settings.max_clients) +
                                             " clients connected, refusing more");
        busy_logged = true;
        refuse(fd, "too many clients, try again later");
    } else {
        busy_logged = false;
        auto s = std::make_shared<session>(shared_from_this(), std::move(socket));
        sessions.insert(s);
        s->start();
    }
    accept();
}

void control_server::impl::stop() {
    if (stopped) return;
    stopped = true;
    error_code ignored;
    retry.cancel();
    acceptor.close(ignored);
    // close() erases from the set: iterate over a copy.
    const auto copy = sessions;
    for (const auto& s : copy) s->close();
    sessions.clear();
    if (own_file) {
        // Only our own file: another daemon may have replaced it meanwhile.
        struct stat st {};
        if (::lstat(settings.path.c_str(), &st) == 0 && st.st_dev == file_dev && st.st_ino == file_ino)
            ::unlink(settings.path.c_str());
        own_file = false;
    }
}

control_server::control_server(boost::asio::io_context& io, control_server_settings settings,
                               request_handler handler)
    : impl_(std::make_shared<impl>(io, std::move(settings), std::move(handler))) {
    try {
        impl_->open();
    } catch (...) {
        impl_->stop();
        throw;
    }
    impl_->accept();
}

control_server::~control_server() {
    // An exception leaving a destructor terminates the daemon. stop() can
    // throw only if asio fails to cancel a timer or memory runs out; the
    // server is going away either way, so the failure is logged, not thrown.
    try {
        impl_->stop();
    } catch (const std::exception& e) {
        try {
            impl_->log(core::log_level::warning, std::string("control socket: stop failed: ") + e.what());
        } catch (...) {  // a failed log has nowhere left to be reported
        }
    }
}

void control_server::stop() { impl_->stop(); }

const std::string& control_server::path() const { return impl_->settings.path; }

std::size_t control_server::client_count() const { return impl_->sessions.size(); }

}  // namespace mcproxy::daemon
