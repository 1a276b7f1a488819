// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import ZMTPGSSAPI

@Suite("When client credentials are renewed and the KDC asked again")
struct CredentialRenewalTests {
    @Test func renewalIsDueAtHalfTheLifetime() {
        let lifetime = CredentialLifetime(acquired: 1000, secondsRemaining: 600)
        #expect(lifetime.expires == 1600)
        #expect(lifetime.renewal == 1300)
        #expect(!lifetime.isRenewalDue(at: 1299))
        #expect(lifetime.isRenewalDue(at: 1300))
        #expect(!lifetime.isExpired(at: 1599))
        #expect(lifetime.isExpired(at: 1600))
    }

    @Test func timesAreShownInUTC() {
        #expect(CredentialLifetime.text(0) == "1970-01-01 00:00:00 UTC")
        #expect(CredentialLifetime.text(1_796_559_316) == "2026-12-06 12:15:16 UTC")
    }

    @Test func kdcFailuresAreRetriedAfterAGrowingBoundedDelay() {
        var backoff = AcquisitionBackoff()
        #expect(backoff.refusal(at: 0) == nil)
        let kdcDown = ZGSSError(.gss, "Cannot contact any KDC for realm 'EXAMPLE.TEST'")
        var now: Int64 = 10_000
        var delays: [Int64] = []
        for _ in 0..<6 {
            backoff.failed(kdcDown, at: now)
            let refusal = backoff.refusal(at: now)
            #expect(refusal?.code == .gss)
            #expect(refusal?.message.hasPrefix(kdcDown.message) == true)
            delays.append(backoff.nextAttempt - now)
            #expect(backoff.refusal(at: backoff.nextAttempt) == nil)
            now = backoff.nextAttempt
        }
        #expect(delays == [1000, 2000, 4000, 8000, 8000, 8000])
        backoff.failed(kdcDown, at: now)
        #expect(backoff.refusal(at: now + 1)?.message.hasSuffix("(asking again in 8 s)") == true)
        backoff.succeeded()
        #expect(backoff.refusal(at: now + 1) == nil)
        #expect(backoff.failures == 0)
    }

    @Test(.tags(.kerberos), .needsRealm) func keytabCredentialsKnowWhenTheirTicketsEnd() throws {
        _ = try TestRealm.shared()
        let client = SecurityConfiguration(options: Sides().client)
        let before = CredentialLifetime.now()
        let credential = try #require(try client.credential())
        let lifetime = try #require(credential.lifetime)
        // The test realm issues tickets for up to 10 hours.
        #expect(lifetime.acquired >= before)
        #expect(lifetime.expires > lifetime.acquired + 3600)
        #expect(lifetime.expires <= lifetime.acquired + 10 * 3600 + 5)
        #expect(try client.credential() === credential)
    }

    @Test(.tags(.kerberos), .needsRealm) func acceptorCredentialsHaveNoEnd() throws {
        _ = try TestRealm.shared()
        let server = SecurityConfiguration(options: Sides().server)
        let credential = try #require(try server.credential())
        #expect(credential.lifetime == nil)
    }
}
