// SPDX-License-Identifier: MIT
public import ZGSSBase
import Glibc
import ZMTPCodec
import ZMTPGSSAPI

/// A zmq-shaped context: it creates sockets and, on `terminate`, makes
/// their blocking calls fail with ETERM and waits until every socket is
/// closed and every I/O loop has finished lingering (libzmq's
/// zmq_ctx_term contract).
public final class ZContext: @unchecked Sendable {
    // Guarded by monitor.
    private let monitor = Monitor()
    private var open: [ObjectIdentifier: ZSocket] = [:]
    private var runningLoops = 0
    private var terminated = false
    /// GSSAPI configurations shared by this context's sockets.
    let configurations = ConfigurationPool()
    /// inproc:// names and the connects waiting for them.
    let inproc = InprocRegistry()
    /// zgss_ctx_set / zgss_ctx_get (ContextOptions.swift).
    let settings = PthreadMutex(ContextSettings())
    /// The threads that run the sockets' I/O loops.
    private let threads: IOThreadPool
    /// How many I/O threads this context has created, and how many are
    /// still running or parked (tests).
    var threadsCreated: Int { threads.created }
    var threadsAlive: Int { threads.running }
    var threadsParked: Int { threads.idle }

    /// How long a loop with no timer due polls before it runs a round
    /// anyway (milliseconds). Tests raise it so that a lost wake-up shows
    /// as a stall instead of a one-second delay; set it before the
    /// sockets are made.
    var loopIdleTick: Int64 = 1000

    /// Whether a send belongs to a stream, judged over all of this
    /// context's sockets (SendClock.swift).
    let sendClock = SendClock()

    public init() {
        threads = IOThreadPool()
    }

    /// A context whose idle I/O threads exit after `threadIdleMillis`
    /// (tests: threads that come and go while sockets do).
    init(threadIdleMillis: Int64) {
        threads = IOThreadPool(idleMillis: threadIdleMillis)
    }

    /// A new socket of a zmq.h type (PAIR ... XSUB), its loop on one of the
    /// context's I/O threads.
    public func socket(type rawType: Int32) throws(TransportError) -> ZSocket {
        guard let type = SocketType(rawValue: rawType) else {
            throw .invalid("socket type \(rawType) is not supported")
        }
        let defaults = settings.withLock { $0 }
        let socket = ZSocket(type: type, context: self, waker: LoopWaker())
        socket.applyContextDefaults(defaults)
        let refusal: TransportError? = monitor.withLock {
            if terminated { return .terminated }
            if open.count >= Int(defaults.maxSockets) {
                return TransportError(EMFILE, "the context already has ZMQ_MAX_SOCKETS (\(defaults.maxSockets)) sockets")
            }
            open[ObjectIdentifier(socket)] = socket
            runningLoops += 1
            return nil
        }
        if let refusal { throw refusal }
        do throws(IOThreadPool.StartFailure) {
            try threads.start(IOLoop(socket: socket))
        } catch {
            monitor.withLock {
                open[ObjectIdentifier(socket)] = nil
                runningLoops -= 1
                monitor.broadcast()
            }
            switch error {
            case .noDescriptor: throw TransportError(EMFILE, "cannot create a wake-up pipe for an I/O thread")
            case .noThread: throw TransportError(ZMQErrnoValue.emthread, "cannot start an I/O thread for the socket")
            }
        }
        return socket
    }

    /// Blocks until all sockets are closed, their I/O loops are done
    /// lingering and the context's I/O threads have exited.
    /// Blocking calls on sockets still open fail with ETERM meanwhile.
    public func terminate() {
        let sockets: [ZSocket] = monitor.withLock {
            terminated = true
            return Array(open.values)
        }
        for socket in sockets { socket.markTerminated() }
        monitor.withLock {
            while !open.isEmpty || runningLoops > 0 {
                monitor.wait(until: nil)
            }
        }
        threads.stop()
        inproc.closeWaiting()
    }

    func socketClosed(_ socket: ZSocket) {
        monitor.withLock {
            open[ObjectIdentifier(socket)] = nil
            monitor.broadcast()
        }
    }

    func loopFinished() {
        monitor.withLock {
            runningLoops -= 1
            monitor.broadcast()
        }
    }
}
