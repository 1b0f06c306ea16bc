import Foundation

/// `x` with `digits` decimals: exactly the text of C's `printf("%.*f", digits, x)` (the exact
/// binary value rounded to nearest, ties to even; "-" for negative values and −0), made without
/// printf's cost (Foundation's `String(format:)` takes microseconds a call, and a run's report
/// writes every map point's coordinates). Falls back to `String(format:)` where the fast path
/// is not exact (non-finite values, |x|·10^digits ≥ 2⁵⁰, more than 9 digits).
public func fixedDecimal(_ x: Double, digits: Int) -> String {
    guard (0...9).contains(digits), x.isFinite else { return slowFixed(x, digits) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let a = x.magnitude
    let y = a * scale
    guard y < 0x1p50 else { return slowFixed(x, digits) }
    // a·scale = y + e exactly, |e| ≤ ulp(y)/2. Below 2⁵⁰ the distance t of y's fraction to ½ is
    // computed exactly and, when not zero, is at least ulp(y) (or, for y < ¼, more than ¼): its
    // sign decides, and only t = 0 leaves the decision to e, and an exact tie to evenness.
    let e = (-y).addingProduct(a, scale)
    var n = y.rounded(.down)
    let t = (y - n) - 0.5
    if t > 0 || (t == 0 && (e > 0 || (e == 0 && n.truncatingRemainder(dividingBy: 2) != 0))) { n += 1 }
    let units = UInt64(n), p = UInt64(scale)
    var text = x.sign == .minus ? "-" : ""
    text += String(units / p)
    if digits > 0 {
        let fraction = String(units % p)
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}

/// The printf path, for what `fixedDecimal`'s fast path does not cover.
private func slowFixed(_ x: Double, _ digits: Int) -> String {
    String(format: "%.*f", digits, x)
}
