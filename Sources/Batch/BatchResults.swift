import Foundation
import RunReport

/// What a batch produced, one row per run of the manifest, read from the run folders: each run's
/// `summary.json` and the `batch.json` its executor left (exit status and error). The same table
/// whichever executor ran the runs (this machine or a Ray cluster).
public struct BatchResults: Sendable {
    public struct Row: Sendable, Codable, Equatable {
        public var name: String
        /// "ok" or "failed".
        public var status: String
        public var exitStatus: Int?
        public var error: String?
        public var frames: Int?, lostFrames: Int?, keyframes: Int?, loops: Int?
        public var fps: Double?, pathLength: Double?
        public var ateRMSE: Double?, rpeRMSE: Double?, tErr: Double?, rErr: Double?
        public var ateRMSECorrected: Double?, rpeRMSECorrected: Double?, tErrCorrected: Double?, rErrCorrected: Double?

        /// Every field, null where it does not apply (so that every row has the same keys).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(status, forKey: .status)
            try c.encode(exitStatus, forKey: .exitStatus); try c.encode(error, forKey: .error)
            try c.encode(frames, forKey: .frames); try c.encode(lostFrames, forKey: .lostFrames)
            try c.encode(keyframes, forKey: .keyframes); try c.encode(loops, forKey: .loops)
            try c.encode(fps, forKey: .fps); try c.encode(pathLength, forKey: .pathLength)
            try c.encode(ateRMSE, forKey: .ateRMSE); try c.encode(rpeRMSE, forKey: .rpeRMSE)
            try c.encode(tErr, forKey: .tErr); try c.encode(rErr, forKey: .rErr)
            try c.encode(ateRMSECorrected, forKey: .ateRMSECorrected); try c.encode(rpeRMSECorrected, forKey: .rpeRMSECorrected)
            try c.encode(tErrCorrected, forKey: .tErrCorrected); try c.encode(rErrCorrected, forKey: .rErrCorrected)
        }
    }

    /// The record an executor leaves in a run's folder when the run ends.
    public struct Outcome: Codable, Sendable {
        public var exitStatus: Int
        public var error: String?
        public init(exitStatus: Int, error: String?) { self.exitStatus = exitStatus; self.error = error }
        public static let file = "batch.json"
    }

    public var rows: [Row]

    /// Reads the results of every run of `manifest` under `folder`.
    public init(manifest: BatchManifest, folder: URL) {
        rows = manifest.runs.map { Self.row($0.name, folder.appendingPathComponent($0.name)) }
    }

    /// Whether the run in `folder` finished well (so that a rerun can skip it).
    public static func finished(_ folder: URL) -> Bool { row("", folder).status == "ok" }

    static func row(_ name: String, _ folder: URL) -> Row {
        var r = Row(name: name, status: "failed")
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(Outcome.file)),
              let outcome = try? JSONDecoder().decode(Outcome.self, from: data) else {
            r.error = "no result: the run has not ended"
            return r
        }
        r.exitStatus = outcome.exitStatus
        r.error = outcome.error
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("summary.json")),
              let summary = try? JSONDecoder().decode(RunSummary.self, from: data) else {
            if r.error == nil { r.error = "no summary.json" }
            return r
        }
        r.status = outcome.exitStatus == 0 && !summary.interrupted ? "ok" : "failed"
        if summary.interrupted, r.error == nil { r.error = "interrupted" }
        r.frames = summary.frames
        r.lostFrames = summary.lostFrames
        r.keyframes = summary.keyframes
        r.loops = summary.loopsAccepted
        r.fps = summary.fps
        r.pathLength = summary.pathLength
        if let e = summary.evaluation {
            (r.ateRMSE, r.rpeRMSE, r.tErr, r.rErr) = (e.ateRMSE, e.rpeRMSE, e.kittiTranslationPercent, e.kittiRotationDegPer100m)
        }
        if let e = summary.correctedEvaluation {
            (r.ateRMSECorrected, r.rpeRMSECorrected, r.tErrCorrected, r.rErrCorrected) =
                (e.ateRMSE, e.rpeRMSE, e.kittiTranslationPercent, e.kittiRotationDegPer100m)
        }
        return r
    }

    /// Columns of results.csv and results.html: name, value, and whether smaller is better.
    static var columns: [(String, (Row) -> Double?, Bool)] { [
        ("ate_rmse", \.ateRMSE, true), ("ate_rmse_corrected", \.ateRMSECorrected, true), ("fps", \.fps, false),
        ("rpe_rmse", \.rpeRMSE, true), ("rpe_rmse_corrected", \.rpeRMSECorrected, true),
        ("t_err", \.tErr, true), ("r_err", \.rErr, true), ("t_err_corrected", \.tErrCorrected, true), ("r_err_corrected", \.rErrCorrected, true),
        ("frames", { $0.frames.map(Double.init) }, false), ("lost_frames", { $0.lostFrames.map(Double.init) }, true),
        ("keyframes", { $0.keyframes.map(Double.init) }, false), ("loops", { $0.loops.map(Double.init) }, false),
        ("path_length", \.pathLength, false),
    ] }

    /// results.csv: a header row, then one row per run; empty cells where a value does not apply.
    public var csv: String {
        var out = "name,status," + Self.columns.map(\.0).joined(separator: ",") + ",exit_status,error\n"
        for r in rows {
            let values = Self.columns.map { c in c.1(r).map { String(format: "%.9g", $0) } ?? "" }
            let error = (r.error ?? "").replacingOccurrences(of: "\"", with: "\"\"")
            out += "\(r.name),\(r.status),\(values.joined(separator: ",")),\(r.exitStatus.map(String.init) ?? ""),\"\(error)\"\n"
        }
        return out
    }

    /// results.json: every row with every field (null where it does not apply).
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(rows)) ?? Data("[]".utf8)
    }

    /// Writes results.csv, results.json and results.html into `folder`.
    public func write(to folder: URL) throws {
        try Data(csv.utf8).write(to: folder.appendingPathComponent("results.csv"), options: .atomic)
        try json.write(to: folder.appendingPathComponent("results.json"), options: .atomic)
        try Data(html.utf8).write(to: folder.appendingPathComponent("results.html"), options: .atomic)
    }
}
