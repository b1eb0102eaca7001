internal import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A message received on a channel this session listens to.
public struct Notification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The backend process id of the session that sent it.
    public var senderPID: Int32
}

extension Connection {
    /// Subscribes this session to a channel (`LISTEN`).
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quoteIdentifier(channel))")
    }

    /// Reads whatever the server has sent without blocking and returns the notifications
    /// received so far. Throws when the connection has broken.
    public func consumeNotifications() throws -> [Notification] {
        guard PQconsumeInput(handle) == 1 else { throw connectionError() }
        var received: [Notification] = []
        while let notify = PQnotifies(handle) {
            defer { PQfreemem(notify) }
            received.append(
                Notification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid))
        }
        return received
    }

    /// The socket's file descriptor, to wait on with `poll`.
    public var socketDescriptor: Int32 { PQsocket(handle) }

    /// Checks an idle connection without a round trip: a server that restarted or closed the
    /// session has left it readable, and reading then reports the break.
    public func isAliveWhenIdle() -> Bool {
        guard isOK, isIdle else { return false }
        // Readable while idle means a notice, a notification, or the end of the session;
        // read until the socket is quiet, so an error message followed by EOF shows as a break.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return isOK }
            if ready < 0 || PQconsumeInput(handle) == 0 { return false }
        }
        return isOK
    }
}
