// SPDX-License-Identifier: MIT
// SASL GSSAPI reports errors with zgss's shared error type: the same codes
// (ZGSS_E_*), the same rule that local misuse (invalidArgument, wrongState)
// leaves a session as it was and everything else ends it. The fuzz build
// (tools/fuzz-sasl.sh) compiles ZGSSError.swift into its own module.
#if canImport(ZGSSBase)
@_exported public import ZGSSBase
#endif

public typealias SASLError = ZGSSError
