#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Geometry

/// One row of numbers read from a text file, with the 1-based line it came from.
public struct NumericRow: Sendable {
    public var line: Int
    public var values: [Double]
}

/// Reads whitespace- or comma-separated numeric tables (KITTI, TUM, EuRoC csv, g2o-free text).
///
/// Lines that are empty or start with `#` are skipped; so is a first line that is a header
/// (contains letters) when `allowHeader` is set. Every other token must parse as a number, or the
/// reader throws `TrajectoryError.malformedRow` naming the file and line.
public enum NumericTable {
    /// Parses a file into rows.
    public static func read(_ url: URL, allowHeader: Bool = false) throws(TrajectoryError) -> [NumericRow] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            if !FileManager.default.fileExists(atPath: url.path) { throw .fileNotFound(url.path) }
            throw .unreadable(url.path, fileErrorReason(error))
        }
        return try parse(data, path: url.path, allowHeader: allowHeader)
    }

    /// Parses in-memory text into rows; `path` is used in error messages.
    public static func parse(_ data: Data, path: String, allowHeader: Bool = false) throws(TrajectoryError) -> [NumericRow] {
        var rows: [NumericRow] = []
        rows.reserveCapacity(data.count / 64)
        var failure: TrajectoryError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            // A NUL-terminated scratch copy of one token for strtod.
            var token = [CChar](repeating: 0, count: 512)
            var lineNo = 0, i = 0
            while i < n {
                lineNo += 1
                var end = i
                while end < n && bytes[end] != 10 { end += 1 }
                var lineEnd = end
                if lineEnd > i && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
                defer { i = end + 1 }
                var s = i
                while s < lineEnd && (bytes[s] == 32 || bytes[s] == 9) { s += 1 }
                if s == lineEnd || bytes[s] == 35 { continue }   // empty or '#'
                var values: [Double] = []
                values.reserveCapacity(16)
                var p = s
                while p < lineEnd {
                    while p < lineEnd && (bytes[p] == 32 || bytes[p] == 9 || bytes[p] == 44) { p += 1 }
                    if p >= lineEnd { break }
                    var q = p
                    while q < lineEnd && bytes[q] != 32 && bytes[q] != 9 && bytes[q] != 44 { q += 1 }
                    if let fast = DecimalParsing.fastDouble(bytes, p, q) {   // exact, as strtod
                        values.append(fast); p = q; continue
                    }
                    let len = q - p
                    if len >= token.count { token = [CChar](repeating: 0, count: len + 1) }
                    var parsed = Double.nan, ok = false
                    token.withUnsafeMutableBufferPointer { tb in
                        for k in 0..<len { tb[k] = CChar(bitPattern: bytes[p + k]) }
                        tb[len] = 0
                        var endPtr: UnsafeMutablePointer<CChar>?
                        parsed = strtod(tb.baseAddress!, &endPtr)
                        ok = endPtr == tb.baseAddress! + len
                    }
                    if !ok {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[p..<q]), as: UTF8.self)
                        if allowHeader && rows.isEmpty && values.isEmpty {
                            values = []; p = lineEnd; break
                        }
                        failure = .malformedRow(path, line: lineNo, "'\(text)' is not a number")
                        return
                    }
                    values.append(parsed)
                    p = q
                }
                if values.isEmpty { continue }
                rows.append(NumericRow(line: lineNo, values: values))
            }
        }
        if let failure { throw failure }
        return rows
    }
}
