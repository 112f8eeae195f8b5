/// A number read from text, kept exact as `mantissa × 10^exponent` so that `1.2亿` becomes
/// exactly 120000000 rather than the nearest binary fraction times 10⁸.
struct DecimalNumber: Sendable, Equatable {
    var mantissa: Int64
    var exponent: Int

    init(mantissa: Int64, exponent: Int = 0) {
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// The number times 10^`power`.
    func scaled(by power: Int) -> DecimalNumber { DecimalNumber(mantissa: mantissa, exponent: exponent + power) }

    /// The nearest `Double` (exact for every integer below 2⁵³ and every short decimal fraction).
    var double: Double {
        if exponent >= 0 {
            var v = Double(mantissa)
            for _ in 0..<exponent { v *= 10 }
            return v
        }
        var divisor = 1.0
        for _ in 0..<(-exponent) { divisor *= 10 }
        return Double(mantissa) / divisor
    }

    /// The value when it is a whole number that fits an `Int`.
    var integer: Int? {
        var m = mantissa
        var e = exponent
        while e < 0 {
            guard m % 10 == 0 else { return nil }
            m /= 10
            e += 1
        }
        while e > 0 {
            let (p, o) = m.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            m = p
            e -= 1
        }
        return Int(m)
    }
}
