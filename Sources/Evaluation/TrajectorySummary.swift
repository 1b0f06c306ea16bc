import Foundation
import Trajectories

/// What `evo_traj` prints about a trajectory: pose count, path length and duration.
public struct TrajectorySummary: Codable, Sendable, Equatable {
    /// The file name without folder and extension (evo's trajectory name).
    public var name: String
    public var poses: Int
    /// Metres along the positions.
    public var pathLength: Double
    /// Seconds from the first to the last timestamp (nil without timestamps).
    public var duration: Double?

    enum CodingKeys: String, CodingKey {
        case name, poses, duration
        case pathLength = "path_length"
    }

    public init(name: String, trajectory: Trajectory) {
        self.name = name
        poses = trajectory.count
        pathLength = trajectory.pathLength
        duration = trajectory.timestamps.flatMap { t in t.last.map { $0 - t[0] } }
    }

    /// Reads a trajectory file and summarises it (`euroc` reads an EuRoC ground-truth csv).
    public static func load(_ path: String, format: String) throws(EvaluationError) -> (TrajectorySummary, Trajectory) {
        do {
            let trajectory = try TrajectoryFormat.read(URL(fileURLWithPath: path), format: try TrajectoryFormat(name: format))
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return (TrajectorySummary(name: name, trajectory: trajectory), trajectory)
        } catch { throw .trajectory(error) }
    }

    /// evo's "infos" line, e.g. "798 poses, 3.158m path length, 30.020s duration".
    public var infos: String {
        var s = "\(poses) poses, " + String(format: "%.3fm path length", pathLength)
        if let duration { s += String(format: ", %.3fs duration", duration) }
        return s
    }
}
