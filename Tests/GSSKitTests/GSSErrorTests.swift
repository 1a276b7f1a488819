// SPDX-License-Identifier: MIT
import CGSSAPI
import Testing
@testable import GSSKit

/// GSSError's texts (MIT's words for the major and minor codes) and the
/// questions the callers ask it. gss_display_status needs no realm.
@Suite struct GSSErrorTests {
    static let failure: UInt32 = 13 << 16   // GSS_S_FAILURE

    @Test func aWrapperErrorSaysItsReason() {
        let error = GSSError("gss_import_name", reason: "invalid name \"\"")
        #expect(error.major == 0 && error.minor == 0)
        #expect(error.reason == "invalid name \"\"")
        #expect(error.description == "gss_import_name: invalid name \"\"")
        #expect(!error.isCredentialProblem && !error.isContextExpired && !error.isTicketExpired)
    }

    @Test func aMajorCodeAloneIsDescribedByMITsText() {
        let error = GSSError("gss_acquire_cred", major: cgss_s_no_cred(), minor: 0)
        #expect(error.majorText.localizedLowercase.contains("no credentials"), "\(error.majorText)")
        #expect(error.minorText == "")
        #expect(error.reason == error.majorText)
        #expect(error.description == "gss_acquire_cred: " + error.majorText)
        #expect(error.isCredentialProblem)
        #expect(!error.isContextExpired)
    }

    @Test func anExpiredTicketIsToldByItsMinorCode() {
        // Only the code is read here: MIT words a minor code from what the
        // failing call left on its thread (see GSSNameTests for the text).
        let expired = GSSError("gss_init_sec_context", major: Self.failure,
                               minor: UInt32(bitPattern: Int32(truncatingIfNeeded: KRB5KRB_AP_ERR_TKT_EXPIRED)))
        #expect(expired.isTicketExpired)
        #expect(expired.isCredentialProblem, "an expired ticket of our own: acquiring again may help")
        #expect(!GSSError("gss_init_sec_context", major: Self.failure, minor: 1).isTicketExpired)
    }

    @Test func expiredContextsAndCredentialsAreTold() {
        #expect(GSSError("gss_wrap", major: cgss_s_context_expired(), minor: 0).isContextExpired)
        let credentials = GSSError("gss_init_sec_context", major: cgss_s_credentials_expired(), minor: 0)
        #expect(credentials.isContextExpired && credentials.isCredentialProblem)
        let refused = GSSError("gss_accept_sec_context", major: cgss_s_defective_token(), minor: 0)
        #expect(!refused.isContextExpired && !refused.isCredentialProblem)
    }
}
