import Foundation
import Geometry
import Testing

/// `fixedDecimal` against printf's own text, on the values where a shortcut would go wrong:
/// exact decimal ties (k/16, k/2^m), their neighbours one ulp away, negatives that round to
/// zero, −0, large magnitudes near the fast path's limit, and random values at every scale.
struct DecimalTextTests {
    func printf(_ x: Double, _ digits: Int) -> String { String(format: "%.*f", digits, x) }

    @Test func tiesAndTheirNeighboursRoundAsPrintf() {
        for digits in 0...6 {
            for k in -2000...2000 {
                for m in [1, 4, 7, 11] {
                    let tie = Double(k) / Double(1 << m)
                    for x in [tie, tie.nextUp, tie.nextDown] {
                        #expect(fixedDecimal(x, digits: digits) == printf(x, digits), "x = \(x), \(digits) digits")
                    }
                }
            }
        }
    }

    @Test func signsZerosAndLimits() {
        let values: [Double] = [0, -0.0, -0.0001, -0.0005, 0.0005, 0.9995, -0.9995, 1e-300, 123456789.0005,
                                0x1p50 / 1000, (0x1p50 / 1000).nextDown, 1e15, -1e15, .infinity, -.infinity, .nan,
                                .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for x in values {
            for digits in [0, 1, 3, 6, 9, 12] {
                #expect(fixedDecimal(x, digits: digits) == printf(x, digits), "x = \(x), \(digits) digits")
            }
        }
    }

    @Test func randomValuesAtEveryScale() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<200_000 {
            let exponent = Double(rng.next() % 30) - 12
            let mantissa = Double(rng.next() >> 11) * 0x1p-53 * 2 - 1
            let x = mantissa * pow(10, exponent)
            let digits = Int(rng.next() % 8)
            #expect(fixedDecimal(x, digits: digits) == printf(x, digits), "x = \(x), \(digits) digits")
        }
    }
}
