/// Exact fast path for decimal numbers (Clinger, 1990): when the significand has at most 19
/// digits, fits in 53 bits and the decimal exponent is within ±22, the value is one correctly
/// rounded multiplication or division of two exactly representable doubles, so the result is
/// bit-identical to `strtod`. Anything else (more digits, larger exponents, nan/inf, hex,
/// malformed text) returns `nil` and is left to `strtod`.
enum DecimalParsing {
    /// Exactly representable powers of ten, 10⁰ … 10²².
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

    static func fastDouble(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == 45 || bytes[i] == 43 { negative = bytes[i] == 45; i += 1 }   // '-' '+'
        var mantissa: UInt64 = 0, digits = 0, significant = 0, fractionDigits = 0
        var seenPoint = false
        while i < end {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                digits += 1
                if mantissa != 0 || c != 48 { significant += 1 }
                guard significant <= 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                if seenPoint { fractionDigits += 1 }
            } else if c == 46 && !seenPoint {   // '.'
                seenPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var exponent = 0
        if i < end && (bytes[i] == 101 || bytes[i] == 69) {   // 'e' 'E'
            i += 1
            var expNegative = false
            if i < end && (bytes[i] == 45 || bytes[i] == 43) { expNegative = bytes[i] == 45; i += 1 }
            var expDigits = 0
            while i < end && bytes[i] >= 48 && bytes[i] <= 57 {
                exponent = exponent * 10 + Int(bytes[i] - 48)
                expDigits += 1
                guard exponent < 10_000 else { return nil }
                i += 1
            }
            guard expDigits > 0 else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == end, mantissa <= (1 << 53) else { return nil }
        let e10 = exponent - fractionDigits
        guard e10 >= -22 && e10 <= 22 else { return mantissa == 0 ? (negative ? -0.0 : 0.0) : nil }
        let m = Double(mantissa)
        let value = e10 >= 0 ? m * powersOfTen[e10] : m / powersOfTen[-e10]
        return negative ? -value : value
    }
}
