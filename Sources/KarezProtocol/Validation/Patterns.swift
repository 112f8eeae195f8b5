/// Hand-written matchers for the `pattern`s of the proto-json schemas: the same languages as
/// the regular expressions there, checked over UTF-8 bytes or scalars without a regex engine.
public enum Patterns {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isUpper(b) || isLower(b) }

    /// `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`: an item id. Checked for every published item: one
    /// bit test per byte (``idBytes``), over the string's UTF-8 in place.
    public static func isItemID(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { u in
            guard let first = u.first, isAlnum(first), u.count <= 128 else { return false }
            for b in u where !isIDByte(b) { return false }
            return true
        }
    }

    /// True for the bytes of `[A-Za-z0-9._:-]`, as bits of two masks: ASCII 0-63 (`-` 45, `.`
    /// 46, `0`-`9` 48-57, `:` 58) and 64-127 (`A`-`Z` 65-90, `_` 95, `a`-`z` 97-122).
    @inline(__always) static func isIDByte(_ b: UInt8) -> Bool {
        b < 64 ? 0x07FF_6000_0000_0000 as UInt64 >> UInt64(b) & 1 != 0 : b < 128 && 0x07FF_FFFE_87FF_FFFE as UInt64 >> UInt64(b - 64) & 1 != 0
    }

    /// `^[a-z][a-z0-9_]{0,31}$`: a kind name.
    public static func isKindName(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, isLower(first), u.count <= 32 else { return false }
        return u.dropFirst().allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// `^[a-z][a-z0-9_]*$`: an error code.
    public static func isErrorCode(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, isLower(first) else { return false }
        return u.dropFirst().allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// `^[A-Z]{1,32}$`: a command name, as `ERR` bodies name the refused command.
    public static func isCommand(_ s: String) -> Bool {
        let u = s.utf8
        return (1...32).contains(u.count) && u.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// `^[a-z_][a-z0-9_]*$`: a metric name.
    public static func isMetricName(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, isLower(first) || first == UInt8(ascii: "_") else { return false }
        return u.dropFirst().allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// `^[a-zA-Z_][a-zA-Z0-9_]*$`: a metric label name.
    public static func isLabelName(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, isUpper(first) || isLower(first) || first == UInt8(ascii: "_") else { return false }
        return u.dropFirst().allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    /// A label name the Prometheus exposition keeps for itself: `le` (histogram buckets) and `__*`.
    public static func isReservedLabelName(_ s: String) -> Bool { s == "le" || s.hasPrefix("__") }

    /// `^([0-9]{17}[0-9Xx]|[0-9]{15})$`: the shape of a resident identity number.
    public static func isNationalIDShape(_ s: String) -> Bool {
        let u = Array(s.utf8)
        if u.count == 15 { return u.allSatisfy(isDigit) }
        guard u.count == 18 else { return false }
        return u[0..<17].allSatisfy(isDigit) && (isDigit(u[17]) || u[17] == UInt8(ascii: "X") || u[17] == UInt8(ascii: "x"))
    }

    /// The 31 characters of a unified social credit code (no I, O, S, V, Z).
    public static let creditCodeAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)

    /// `^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$`: the shape of a credit code.
    public static func isCreditCodeShape(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 18 else { return false }
        for (i, c) in u.enumerated() {
            if (2..<8).contains(i) { guard isDigit(c) else { return false } }
            else { guard creditCodeAlphabet.contains(c) else { return false } }
        }
        return true
    }

    /// `^[A-Z][0-9]{2}(\.[0-9]{1,2})?$`: an ICD-10 code.
    public static func isICD10(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 3 || u.count == 5 || u.count == 6 else { return false }
        guard isUpper(u[0]), isDigit(u[1]), isDigit(u[2]) else { return false }
        if u.count == 3 { return true }
        return u[3] == UInt8(ascii: ".") && u[4...].allSatisfy(isDigit)
    }

    /// `^\+?[0-9][0-9 -]{4,19}$`: a phone number.
    public static func isPhone(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if u.first == UInt8(ascii: "+") { u = u.dropFirst() }
        guard let first = u.first, isDigit(first) else { return false }
        let rest = u.dropFirst()
        return (4...19).contains(rest.count) && rest.allSatisfy { isDigit($0) || $0 == 0x20 || $0 == UInt8(ascii: "-") }
    }

    /// `^https?://[^\s]+$`: an http or https URL without white space.
    public static func isURL(_ s: String) -> Bool {
        let rest: Substring
        if s.hasPrefix("https://") { rest = s.dropFirst(8) } else if s.hasPrefix("http://") { rest = s.dropFirst(7) } else { return false }
        return !rest.isEmpty && !rest.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// `^(/([^~]|~[01])*)*$`: a JSON Pointer.
    public static func isJSONPointer(_ s: String) -> Bool {
        let u = Array(s.utf8)
        if u.isEmpty { return true }
        guard u[0] == UInt8(ascii: "/") else { return false }
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "~") {
                guard i + 1 < u.count, u[i + 1] == UInt8(ascii: "0") || u[i + 1] == UInt8(ascii: "1") else { return false }
                i += 2
            } else {
                i += 1
            }
        }
        return true
    }

    /// `^(约|近)?(人民币)?[0-9]+(,[0-9]{3})*(\.[0-9]+)?(多|余)?(万|亿)?元$`: a written amount of yuan.
    public static func isAmountText(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        var i = 0
        func take(_ c: Character) -> Bool {
            if i < u.count, Character(u[i]) == c { i += 1; return true }
            return false
        }
        func digit() -> Bool { i < u.count && u[i].value >= 0x30 && u[i].value <= 0x39 }
        _ = take("约") || take("近")
        if i + 2 < u.count, Character(u[i]) == "人", Character(u[i + 1]) == "民", Character(u[i + 2]) == "币" { i += 3 }
        guard digit() else { return false }
        while digit() { i += 1 }
        while i + 3 < u.count, Character(u[i]) == ",", (1...3).allSatisfy({ u[i + $0].value >= 0x30 && u[i + $0].value <= 0x39 }) {
            i += 4
        }
        if i < u.count, Character(u[i]) == "." {
            i += 1
            guard digit() else { return false }
            while digit() { i += 1 }
        }
        _ = take("多") || take("余")
        _ = take("万") || take("亿")
        return take("元") && i == u.count
    }
}
