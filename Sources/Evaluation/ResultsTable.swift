import Foundation
import Geometry

/// Several saved reports side by side (like `evo_res`): one row per result, the statistics as
/// columns, as an aligned text table or CSV.
public struct ResultsTable: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var report: EvaluationReport
        public init(name: String, report: EvaluationReport) { self.name = name; self.report = report }
    }

    public var rows: [Row]
    public static let statisticNames = ["rmse", "mean", "median", "std", "min", "max", "sse"]

    public init(rows: [Row]) { self.rows = rows }

    /// Reads reports saved with `--save_results` (or `--json` output). Rows are named after the
    /// estimate file (its last path component), or after the result file with `useFilenames`.
    public static func load(_ paths: [String], useFilenames: Bool = false) throws(EvaluationError) -> ResultsTable {
        var rows: [Row] = []
        for path in paths {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw .trajectory(FileManager.default.fileExists(atPath: path) ? .unreadable(path, fileErrorReason(error)) : .fileNotFound(path))
            }
            let report: EvaluationReport
            do { report = try EvaluationReport.decode(data) } catch {
                throw .invalidOption("\(path): not a saved evaluation result (\(error))")
            }
            let name = useFilenames ? path : URL(fileURLWithPath: report.estimate).lastPathComponent
            rows.append(Row(name: name, report: report))
        }
        return ResultsTable(rows: rows)
    }

    /// Sorts rows by a statistic, ascending.
    public func sorted(by statistic: String) throws(EvaluationError) -> ResultsTable {
        guard Self.statisticNames.contains(statistic) else {
            throw .invalidOption("unknown statistic '\(statistic)' (expected one of \(Self.statisticNames.joined(separator: ", ")))")
        }
        return ResultsTable(rows: rows.sorted { Self.value($0.report.stats, statistic) < Self.value($1.report.stats, statistic) })
    }

    static func value(_ s: ErrorStatistics, _ name: String) -> Double {
        switch name {
        case "rmse": s.rmse
        case "mean": s.mean
        case "median": s.median
        case "std": s.std
        case "min": s.min
        case "max": s.max
        default: s.sse
        }
    }

    /// What was measured, e.g. "APE trans_part (m), se3".
    static func metricLabel(_ r: EvaluationReport) -> String {
        "\(r.metric) \(r.poseRelation ?? "") (\(r.unit ?? "")), \(r.alignment ?? "none")"
    }

    /// Header and cells of the table.
    var cells: [[String]] {
        let header = ["name", "metric", "count"] + Self.statisticNames
        return [header] + rows.map { row in
            [row.name, Self.metricLabel(row.report), "\(row.report.count)"]
                + Self.statisticNames.map { String(format: "%.6f", Self.value(row.report.stats, $0)) }
        }
    }

    /// An aligned text table (text columns left-aligned, numbers right-aligned).
    public var text: String {
        let c = cells
        let widths = (0..<c[0].count).map { j in c.map { $0[j].count }.max() ?? 0 }
        return c.map { line in
            line.enumerated().map { j, cell in
                let pad = String(repeating: " ", count: widths[j] - cell.count)
                return j < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV with full-precision numbers.
    public var csv: String {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [(["name", "metric", "count"] + Self.statisticNames).joined(separator: ",")]
        for row in rows {
            lines.append(([quote(row.name), quote(Self.metricLabel(row.report)), "\(row.report.count)"]
                + Self.statisticNames.map { "\(Self.value(row.report.stats, $0))" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
