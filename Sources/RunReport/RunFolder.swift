import Foundation
import Geometry
import Trajectories

/// Why a run folder could not be read for its report (every case names the file), or a run's
/// trajectory could not be evaluated.
public enum ReportError: Error, CustomStringConvertible, Sendable {
    case missing(String)
    case malformed(String, line: Int?, String)
    case unwritable(String, String)
    case evaluation(String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): not found (is this a parallax run folder?)"
        case .malformed(let path, let line, let why): return "\(path)\(line.map { ":\($0)" } ?? ""): \(why)"
        case .unwritable(let path, let why): return "\(path): cannot write: \(why)"
        case .evaluation(let why): return "evaluation: \(why)"
        }
    }
}

/// What a run folder holds, as the report needs it: per-frame statistics, the trajectories, the
/// keyframes, the loops, the map and the run's summary and configuration.
public struct RunFolder: Sendable {
    /// One row of frames.csv: the named numeric columns, and the state.
    public struct Frame: Sendable {
        public var index: Int
        public var state: String
        public var values: [String: Double]
    }

    /// A verified loop: the keyframes it joins and whether the correction accepted it.
    public struct Loop: Sendable {
        public var candidate: Int, query: Int
        public var status: String
    }

    public let url: URL
    public var frames: [Frame] = []
    public var odometry: Trajectory
    public var corrected: Trajectory?
    public var groundTruth: Trajectory?
    public var keyframes: Trajectory?
    public var loops: [Loop] = []
    public var map: [MapPoint] = []
    public var summary: String?
    public var configuration: String?

    /// Reads the folder; frames.csv and trajectory_kitti.txt are required, the rest is optional.
    public init(_ url: URL) throws(ReportError) {
        self.url = url
        func file(_ name: String) -> URL { url.appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name).path) }
        func trajectory(_ name: String) throws(ReportError) -> Trajectory? {
            guard exists(name) else { return nil }
            do { return try TrajectoryFormat.read(file(name), format: .kitti) } catch {
                throw .malformed(file(name).path, line: nil, error.description)
            }
        }
        guard exists("frames.csv") else { throw .missing(file("frames.csv").path) }
        guard let odometry = try trajectory("trajectory_kitti.txt") else { throw .missing(file("trajectory_kitti.txt").path) }
        self.odometry = odometry
        frames = try Self.readFrames(file("frames.csv"))
        corrected = try trajectory("trajectory_corrected_kitti.txt")
        groundTruth = try trajectory("groundtruth_kitti.txt")
        keyframes = try trajectory("keyframes_kitti.txt")
        if exists("loops.csv") { loops = try Self.readLoops(file("loops.csv")) }
        if exists("map.ply") { map = try PLYMap.read(file("map.ply")) }
        summary = try? String(contentsOf: file("summary.json"), encoding: .utf8)
        configuration = try? String(contentsOf: file("config.yaml"), encoding: .utf8)
    }

    /// Rows of a CSV file with a header, as dictionaries of the header's names.
    static func csv(_ url: URL) throws(ReportError) -> [(line: Int, fields: [String: String])] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw .malformed(url.path, line: nil, "unreadable (\(error.localizedDescription))") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let header = lines.first?.split(separator: ",").map(String.init), !header.isEmpty else { throw .malformed(url.path, line: 1, "no header") }
        var rows: [(Int, [String: String])] = []
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else {
                throw .malformed(url.path, line: i + 1, "\(fields.count) fields where the header has \(header.count)")
            }
            rows.append((i + 1, Dictionary(uniqueKeysWithValues: zip(header, fields))))
        }
        return rows
    }

    static func readFrames(_ url: URL) throws(ReportError) -> [Frame] {
        try csv(url).map { (row) throws(ReportError) -> Frame in
            guard let index = row.fields["index"].flatMap(Int.init), let state = row.fields["state"] else {
                throw .malformed(url.path, line: row.line, "no frame index or state")
            }
            var values: [String: Double] = [:]
            for (k, v) in row.fields { if let x = Double(v) { values[k] = x } }
            return Frame(index: index, state: state, values: values)
        }
    }

    static func readLoops(_ url: URL) throws(ReportError) -> [Loop] {
        try csv(url).map { (row) throws(ReportError) -> Loop in
            guard let c = row.fields["candidate_frame"].flatMap(Int.init), let q = row.fields["query_frame"].flatMap(Int.init),
                  let status = row.fields["status"] else { throw .malformed(url.path, line: row.line, "no candidate_frame, query_frame or status") }
            return Loop(candidate: c, query: q, status: status)
        }
    }
}
