// SPDX-License-Identifier: MIT
/// Where one side of the GSSAPI handshake stands.
enum HandshakePhase: CaseIterable, Sendable {
    case clientStart, clientAwaitToken, clientSendToken, clientAwaitReady, clientSendReady
    case serverAwaitToken, serverSendToken, serverAwaitEmpty, serverAwaitAuthorization, serverSendReady,
         serverAwaitReady
    case ready, failed
}

/// What `nextHandshakeCommand()` does in a phase.
enum OnNext: Equatable, Sendable {
    /// Nothing to send: the peer's turn, the host's decision, or done.
    case wait
    /// The client's first GSS step (no peer token yet), then `then`.
    case firstStep(then: HandshakePhase)
    /// Send the token the last GSS step made as INITIATE, then go to
    /// `whenComplete` if the GSS context is established, else `whenMore`.
    /// `emptyFinalTokenIsBareCommand`: a final empty token goes as an empty
    /// command frame (libzmq's client), not as an INITIATE.
    case sendToken(whenComplete: HandshakePhase, whenMore: HandshakePhase, emptyFinalTokenIsBareCommand: Bool)
    /// Send READY (wrapped in encrypted mode), then go to `then`.
    case sendReady(then: HandshakePhase)
    /// The session failed: throw its error again.
    case fail
}

/// What a command from the peer must be in a phase (ERROR during the
/// handshake is handled before: the peer refused).
enum OnCommand: Equatable, Sendable {
    /// INITIATE with the peer's token: a GSS step, then `then`.
    case token(then: HandshakePhase)
    /// The client's empty command after the server's last token: the
    /// allowlist, then `then`, or `thenWithExternalAuthorization`.
    case emptyCommand(then: HandshakePhase, thenWithExternalAuthorization: HandshakePhase)
    /// The peer's READY: check its Socket-Type, then `then`.
    case ready(then: HandshakePhase)
    /// A protocol violation: it is this side's turn to send (or the host's
    /// to decide).
    case outOfTurn
    /// A protocol violation: the handshake is over.
    case afterHandshake
    /// The session failed: throw its error again.
    case fail
}

/// The handshake as data, libzmq 4.3.4's exchange, byte for byte: one row
/// per phase, saying what each event does and where it leads. The
/// mechanism executes these rows and the state-table tests read them.
///
///     client
///     start        next → GSS step, INITIATE(AP-REQ) → awaitToken
///     awaitToken   recv INITIATE(AP-REP) → GSS step  → sendToken
///     sendToken    next → empty command (or INITIATE) → awaitReady
///                  (→ awaitToken while GSS wants more)
///     awaitReady   recv READY → check Socket-Type    → sendReady
///     sendReady    next → READY                      → ready
///
///     server
///     awaitToken   recv INITIATE(AP-REQ) → GSS step  → sendToken
///     sendToken    next → INITIATE(AP-REP)           → awaitEmpty
///                  (→ awaitToken while GSS wants more)
///     awaitEmpty   recv empty → allowlist            → sendReady
///                  (→ awaitAuthorization with external authorization,
///                   left by `authorize(_:)`)
///     sendReady    next → READY                      → awaitReady
///     awaitReady   recv READY → check Socket-Type    → ready
struct HandshakeTransitions: Equatable, Sendable {
    let onNext: OnNext
    let onCommand: OnCommand

    static func of(_ phase: HandshakePhase) -> HandshakeTransitions {
        switch phase {
        case .clientStart:
            HandshakeTransitions(onNext: .firstStep(then: .clientSendToken), onCommand: .outOfTurn)
        case .clientAwaitToken:
            HandshakeTransitions(onNext: .wait, onCommand: .token(then: .clientSendToken))
        case .clientSendToken:
            HandshakeTransitions(onNext: .sendToken(whenComplete: .clientAwaitReady, whenMore: .clientAwaitToken,
                                                    emptyFinalTokenIsBareCommand: true),
                                 onCommand: .outOfTurn)
        case .clientAwaitReady:
            HandshakeTransitions(onNext: .wait, onCommand: .ready(then: .clientSendReady))
        case .clientSendReady:
            HandshakeTransitions(onNext: .sendReady(then: .ready), onCommand: .outOfTurn)
        case .serverAwaitToken:
            HandshakeTransitions(onNext: .wait, onCommand: .token(then: .serverSendToken))
        case .serverSendToken:
            HandshakeTransitions(onNext: .sendToken(whenComplete: .serverAwaitEmpty, whenMore: .serverAwaitToken,
                                                    emptyFinalTokenIsBareCommand: false),
                                 onCommand: .outOfTurn)
        case .serverAwaitEmpty:
            HandshakeTransitions(onNext: .wait,
                                 onCommand: .emptyCommand(then: .serverSendReady,
                                                          thenWithExternalAuthorization: .serverAwaitAuthorization))
        case .serverAwaitAuthorization:
            HandshakeTransitions(onNext: .wait, onCommand: .outOfTurn)
        case .serverSendReady:
            HandshakeTransitions(onNext: .sendReady(then: .serverAwaitReady), onCommand: .outOfTurn)
        case .serverAwaitReady:
            HandshakeTransitions(onNext: .wait, onCommand: .ready(then: .ready))
        case .ready:
            HandshakeTransitions(onNext: .wait, onCommand: .afterHandshake)
        case .failed:
            HandshakeTransitions(onNext: .fail, onCommand: .fail)
        }
    }
}
