// SPDX-License-Identifier: MIT
/// Turns an authenticated Kerberos principal into a broker username, and
/// decides whether that user may connect.
///
/// Mapping, in order:
///  1. With no rules: the default realm is stripped (`alice@EXAMPLE.TEST`
///     → `alice`); principals of other realms keep their full name.
///  2. With rules (Kafka's `sasl.kerberos.principal.to.local.rules` form),
///     the first rule that applies gives the username; when none applies
///     the client is refused. Rules:
///       `DEFAULT`  — the first component when the realm is the default
///                    realm, else does not apply.
///       `RULE:[n:format](match)s/pattern/replacement/[g][/L|/U]`
///           applies to principals of exactly `n` components; `format` is
///           built from `$0` (realm), `$1`, `$2` (components); the result
///           must match `match` as a whole; then `pattern` is replaced by
///           `replacement` (`$n` inserts group n of the pattern's match)
///           once, or everywhere with `g`; `/L` lower-cases, `/U`
///           upper-cases. The `(match)` and `s/…/…/` parts are optional.
/// Allowlist: when non-empty, the mapped username or the full principal
/// must be in it. A principal entry (one with a realm) is read as krb5
/// text and compared by component and realm, so it matches however it is
/// quoted (`a\x@R` is `ax@R`, as for MIT).
///
/// The rules see components decoded (`\/` is `/`, `\n` a newline). A
/// principal with a control character in a component or its realm
/// (`bo\b@R`, `bo\0b@R`) is refused before any rule runs: a rule could
/// drop the character and hand out a plain user's name (`bob`), and no
/// username should carry one. A username that comes out with one is
/// refused too.
///
/// Names, realms and allowlist entries compare as bytes, never with
/// `String ==` (which calls canonically equivalent text equal, so an NFC
/// entry would admit a distinct NFD principal), and the rules' regular
/// expressions match Unicode scalars, not canonically equivalent
/// characters.
public struct PrincipalMapper: Sendable {
    public var rules: [MappingRule] = []
    public var allowlist: [PrincipalName] = []
    /// nil: ask Kerberos (krb5.conf default_realm) when mapping.
    public var defaultRealm: String?

    public init(rules: [MappingRule] = [], allowlist: [PrincipalName] = [], defaultRealm: String? = nil) {
        self.rules = rules
        self.allowlist = allowlist
        self.defaultRealm = defaultRealm
    }

    /// Parses a rule list: rules separated by newlines or commas outside
    /// brackets, parentheses and braces (Kafka's list form), blanks ignored.
    public static func parseRules(_ text: String) throws(SASLError) -> [MappingRule] {
        var rules: [MappingRule] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "[" || ch == "(" || ch == "{" { depth += 1 }
            if ch == "]" || ch == ")" || ch == "}" { depth = max(0, depth - 1) }
            if (ch == "\n" || ch == ",") && depth == 0 {
                let trimmed = trim(current)
                if !trimmed.isEmpty { rules.append(try MappingRule(parsing: trimmed)) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        let trimmed = trim(current)
        if !trimmed.isEmpty { rules.append(try MappingRule(parsing: trimmed)) }
        return rules
    }

    /// The username for `principal`, or `.denied` with the reason.
    public func username(for principal: String, defaultRealm realmHint: String?) throws(SASLError) -> String {
        let realm = defaultRealm ?? realmHint
        let parsed: KerberosPrincipal
        do throws(SASLError) { parsed = try KerberosPrincipal(parsing: principal) } catch {
            throw SASLError(.denied, "cannot map principal: \(error.message)")
        }
        if let control = parsed.controlCharacter {
            throw SASLError(.denied, "principal '\(parsed)' has a control character (\(Self.codePoint(control))) in its name; refused")
        }
        let user: String
        if rules.isEmpty {
            user = SASLIdentity.authenticationID(principal: principal, defaultRealm: realm)
        } else {
            var found: String? = nil
            for rule in rules {
                if let mapped = rule.apply(parsed, defaultRealm: realm) { found = mapped; break }
            }
            guard let found, !found.isEmpty else {
                throw SASLError(.denied, "no mapping rule applies to principal '\(principal)'")
            }
            user = found
        }
        if let control = KerberosPrincipal.controlCharacter(in: user) {
            throw SASLError(.denied, "principal '\(principal)' maps to a username with a control character (\(Self.codePoint(control))); refused")
        }
        if !allowlist.isEmpty && !allowlist.contains(where: { Self.entry($0, admits: user, parsed) }) {
            throw SASLError(.denied, "principal '\(principal)' (user '\(user)') is not in the allowlist")
        }
        return user
    }

    /// Whether allowlist `entry` names `user` (same bytes) or, when it has
    /// a realm, the principal itself (same components and realm).
    static func entry(_ entry: PrincipalName, admits user: String, _ principal: KerberosPrincipal) -> Bool {
        if entry == PrincipalName(user) { return true }
        guard let named = try? KerberosPrincipal(parsing: entry.text), !named.realm.isEmpty else { return false }
        return named == principal
    }

    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func trim(_ text: String) -> String {
        var s = Substring(text)
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// One Kafka-style principal-to-username rule; see PrincipalMapper.
public struct MappingRule: Sendable, CustomStringConvertible {
    public let text: String
    let isDefault: Bool
    let componentCount: Int
    let format: String
    let match: String?
    let pattern: String?
    let replacement: String
    let global: Bool
    let caseChange: Character?

    public var description: String { text }

    public init(parsing text: String) throws(SASLError) {
        self.text = text
        if text == "DEFAULT" {
            isDefault = true; componentCount = 0; format = ""; match = nil; pattern = nil
            replacement = ""; global = false; caseChange = nil
            return
        }
        func bad(_ why: String) -> SASLError {
            SASLError(.invalidArgument, "invalid mapping rule '\(text)': \(why)")
        }
        var rest = Substring(text)
        guard rest.hasPrefix("RULE:[") else { throw bad("expected DEFAULT or RULE:[n:format]...") }
        rest = rest.dropFirst(6)
        guard let colon = rest.firstIndex(of: ":"), let n = Int(rest[..<colon]), n > 0 else {
            throw bad("expected a component count after RULE:[")
        }
        rest = rest[rest.index(after: colon)...]
        guard let close = rest.firstIndex(of: "]") else { throw bad("missing ']'") }
        let format = String(rest[..<close])
        rest = rest[rest.index(after: close)...]
        var match: String? = nil
        if rest.first == "(" {
            var depth = 0
            var end: Substring.Index? = nil
            var i = rest.startIndex
            while i < rest.endIndex {
                let ch = rest[i]
                if ch == "\\" { i = rest.index(after: i); if i < rest.endIndex { i = rest.index(after: i) }; continue }
                if ch == "(" { depth += 1 }
                if ch == ")" { depth -= 1; if depth == 0 { end = i; break } }
                i = rest.index(after: i)
            }
            guard let end else { throw bad("unbalanced parentheses in the match expression") }
            match = String(rest[rest.index(after: rest.startIndex)..<end])
            rest = rest[rest.index(after: end)...]
        }
        var pattern: String? = nil
        var replacement = ""
        var global = false
        var caseChange: Character? = nil
        if rest.hasPrefix("s/") {
            let parts = MappingRule.splitSlashes(rest.dropFirst(2), maxSplits: 2)
            guard parts.count >= 2 else { throw bad("expected s/pattern/replacement/") }
            pattern = String(parts[0])
            replacement = String(parts[1])
            var flags = parts.count == 3 ? parts[2] : ""
            if flags.hasPrefix("g") { global = true; flags = flags.dropFirst() }
            rest = flags
        }
        if rest == "/L" { caseChange = "L"; rest = "" }
        if rest == "/U" { caseChange = "U"; rest = "" }
        guard rest.isEmpty else { throw bad("unexpected text '\(rest)'") }
        for expression in [match, pattern].compactMap({ $0 }) {
            do { _ = try Regex(expression) } catch {
                throw bad("bad regular expression '\(expression)'")
            }
            if MappingRule.hasNestedQuantifier(expression) {
                throw bad("regular expression '\(expression)' repeats a group that itself repeats (e.g. (.*)*), which can take exponential time")
            }
        }
        self.isDefault = false
        self.componentCount = n
        self.format = format
        self.match = match
        self.pattern = pattern
        self.replacement = replacement
        self.global = global
        self.caseChange = caseChange
    }

    /// Whether a repeated group contains a repetition itself — `(a+)+`,
    /// `(.*)*`, `((ab)*c){2,}` — the shape that makes a backtracking engine
    /// take exponential time on a non-matching name. Escapes and character
    /// classes are skipped; alternation tricks such as `(a|a)*` are not
    /// detected.
    static func hasNestedQuantifier(_ expression: String) -> Bool {
        let chars = Array(expression)
        var groups: [Bool] = [] // per open group: contains a quantifier
        var lastGroupHadQuantifier = false
        var i = 0
        func isQuantifier(_ c: Character) -> Bool { c == "*" || c == "+" || c == "{" || c == "?" }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                i += 2
                lastGroupHadQuantifier = false
                continue
            case "[":
                i += 1
                if i < chars.count && chars[i] == "^" { i += 1 }
                if i < chars.count && chars[i] == "]" { i += 1 }
                while i < chars.count && chars[i] != "]" { i += chars[i] == "\\" ? 2 : 1 }
                lastGroupHadQuantifier = false
            case "(":
                groups.append(false)
                lastGroupHadQuantifier = false
            case ")":
                lastGroupHadQuantifier = groups.popLast() ?? false
                if lastGroupHadQuantifier, !groups.isEmpty { groups[groups.count - 1] = true }
                i += 1
                continue
            default:
                // "?" right after "(" or after a quantifier is a modifier
                // (non-greedy, group kind), not a repetition of its own.
                if isQuantifier(c) && !(c == "?" && i > 0 && (chars[i - 1] == "(" || isQuantifier(chars[i - 1]))) {
                    if i > 0 && chars[i - 1] == ")" && lastGroupHadQuantifier && c != "?" { return true }
                    if !groups.isEmpty { groups[groups.count - 1] = true }
                }
                lastGroupHadQuantifier = false
            }
            i += 1
        }
        return false
    }

    /// Splits at `/` not preceded by a backslash (escapes are kept, for the
    /// regular expression or the replacement to read).
    static func splitSlashes(_ text: Substring, maxSplits: Int) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex, parts.count < maxSplits {
            if text[i] == "\\" {
                i = text.index(after: i)
                if i < text.endIndex { i = text.index(after: i) }
                continue
            }
            if text[i] == "/" {
                parts.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        parts.append(text[start...])
        return parts
    }

    /// `expression` compiled to match Unicode scalars. The default
    /// (characters) matches by canonical equivalence: `(jos\u{E9})` would
    /// match the NFD `jose\u{301}`, a different principal.
    static func regex(_ expression: String) throws -> Regex<AnyRegexOutput> {
        try Regex(expression).matchingSemantics(.unicodeScalar)
    }

    /// The replacement with `$n` replaced by group n of the match (`$0` the
    /// whole match, an absent group by nothing) and `\\$` by a dollar sign.
    static func expand(_ template: String, _ groups: AnyRegexOutput) -> String {
        var out = ""
        var chars = Array(template)[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            if ch == "\\", let next = chars.first {
                out.append(next)
                chars = chars.dropFirst()
            } else if ch == "$", let digit = chars.first?.wholeNumberValue {
                chars = chars.dropFirst()
                if digit < groups.count, let text = groups[digit].substring { out += text }
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The username this rule gives, or nil when it does not apply.
    func apply(_ principal: KerberosPrincipal, defaultRealm: String?) -> String? {
        if isDefault {
            guard let defaultRealm, PrincipalName.sameBytes(principal.realm, defaultRealm) else { return nil }
            return principal.components.first
        }
        guard principal.components.count == componentCount else { return nil }
        // Build the formatted name: $0 realm, $n component n.
        var formatted = ""
        var chars = Array(format)[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            if ch == "$", let digit = chars.first, let index = digit.wholeNumberValue {
                chars = chars.dropFirst()
                if index == 0 { formatted += principal.realm }
                else if index <= principal.components.count { formatted += principal.components[index - 1] }
                else { return nil }
            } else {
                formatted.append(ch)
            }
        }
        if let match {
            guard let regex = try? MappingRule.regex(match), (try? regex.wholeMatch(in: formatted)) != nil else { return nil }
        }
        var result = formatted
        if let pattern, let regex = try? MappingRule.regex(pattern) {
            let template = replacement
            result = result.replacing(regex, maxReplacements: global ? Int.max : 1) { match in
                MappingRule.expand(template, match.output)
            }
        }
        switch caseChange {
        case "L": result = result.lowercased()
        case "U": result = result.uppercased()
        default: break
        }
        return result
    }
}
