#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import Testing
import Trajectories

/// NumericTable's fast decimal path must give exactly what strtod gives.
@Suite struct NumericTableParsingTests {
    @Test func numbersParseBitIdenticallyToStrtod() throws {
        var g = SplitMix(state: 42)
        var tokens = ["0", "-0.000000000", "1.000000e+00", "9.043680e-12", "0.999999940", "-0.000000004",
                      "1403715524907143168", "1.403715529112143517e+09", "1e22", "1e23", "1e-22", "123456789012345678901",
                      "9007199254740993", "4.9e-324", "1.7976931348623157e308", ".5", "5.", "+3.25", "0e500", "1E-5"]
        for _ in 0..<3000 {
            let mantissa = UInt64.random(in: 0...UInt64(1) << 60, using: &g)
            let digits = String(mantissa)
            let point = Int.random(in: 0...digits.count, using: &g)
            var t = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if Bool.random(using: &g) { t += "e\(Int.random(in: -30...30, using: &g))" }
            if Bool.random(using: &g) { t = "-" + t }
            tokens.append(t)
        }
        let text = tokens.joined(separator: "\n")
        let rows = try NumericTable.parse(Data(text.utf8), path: "numbers")
        #expect(rows.count == tokens.count)
        for (row, token) in zip(rows, tokens) {
            let expected = strtod(token, nil)
            #expect(row.values[0].bitPattern == expected.bitPattern, "\(token): \(row.values[0]) vs \(expected)")
        }
    }

    @Test func malformedNumbersAreStillRejected() {
        for bad in ["1e", "1.2.3", ".", "-", "1x", "e5"] {
            #expect(throws: TrajectoryError.malformedRow("f", line: 1, "'\(bad)' is not a number")) {
                try NumericTable.parse(Data(bad.utf8), path: "f")
            }
        }
    }
}
