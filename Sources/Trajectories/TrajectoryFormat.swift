import Foundation
import Geometry

/// The trajectory file formats Parallax reads and writes, with their frame conventions.
///
/// This is the one place where conventions are documented:
///
/// | format | row | time | frames |
/// |---|---|---|---|
/// | `kitti` | 12 numbers: `[R | t]` of `T_world_cam`, row-major | none (optional `times.txt`, seconds) | camera: x right, y down, z forward |
/// | `tum` | `t x y z qx qy qz qw` | seconds | as given by the producer (Parallax: camera or body frame, see `parallax run`) |
/// | `euroc` | `ns, px, py, pz, qw, qx, qy, qz[, …]` (csv, header `#timestamp…`) | integer nanoseconds | EuRoC body (IMU) frame in the Vicon/Leica world |
/// | `tartanair` | `tx ty tz qx qy qz qw` | none (frame index) | NED: x forward, y right, z down, for world and camera |
///
/// Inside the engine every pose uses the camera convention (x right, y down, z forward).
/// TartanAir poses are converted exactly with `TrajectoryFormat.nedToCamera`:
/// `T_cam = C · T_ned · C⁻¹` where `C` maps NED axes to camera axes (x←y, y←z, z←x), and back.
/// Quaternions are Hamilton, unit; readers normalise them.
public enum TrajectoryFormat: String, CaseIterable, Sendable {
    case kitti, tum, euroc, tartanair

    /// Parses a format name (case-insensitive).
    public init(name: String) throws(TrajectoryError) {
        guard let f = TrajectoryFormat(rawValue: name.lowercased()) else { throw .unknownFormat(name) }
        self = f
    }

    /// The change of axes from NED (x forward, y right, z down) to the camera convention
    /// (x right, y down, z forward): `p_cam = C p_ned`.
    public static let nedToCamera = SE3(rotation: SO3(uncheckedMatrix: Mat3(rows: Vec3(0, 1, 0), Vec3(0, 0, 1), Vec3(1, 0, 0))))

    /// Converts a NED pose (world and body in NED axes) to the camera convention.
    public static func cameraPose(fromNED t: SE3) -> SE3 { nedToCamera * t * nedToCamera.inverse }
    /// Converts a camera-convention pose to NED (exact inverse of `cameraPose(fromNED:)`).
    public static func nedPose(fromCamera t: SE3) -> SE3 { nedToCamera.inverse * t * nedToCamera }

    /// Tolerance on ‖RᵀR − I‖_F for rotations read from files (KITTI prints ~7 digits).
    public static let rotationTolerance = 1e-3

    // MARK: Reading

    /// Reads a trajectory file. For KITTI, `timesFile` (one time in seconds per line) adds timestamps.
    public static func read(_ url: URL, format: TrajectoryFormat, timesFile: URL? = nil) throws(TrajectoryError) -> Trajectory {
        let rows = try NumericTable.read(url, allowHeader: format == .euroc)
        guard !rows.isEmpty else { throw .empty(url.path) }
        var poses: [SE3] = []
        poses.reserveCapacity(rows.count)
        var stamps: [Double] = []
        let path = url.path
        for row in rows {
            let v = row.values
            for x in v where !x.isFinite { throw .nonFinite(path, line: row.line) }
            switch format {
            case .kitti:
                guard v.count == 12 else { throw .malformedRow(path, line: row.line, "expected 12 numbers (3×4 pose), found \(v.count)") }
                let m = Mat3(rows: Vec3(v[0], v[1], v[2]), Vec3(v[4], v[5], v[6]), Vec3(v[8], v[9], v[10]))
                poses.append(SE3(rotation: try rotation(m, path, row.line), translation: Vec3(v[3], v[7], v[11])))
            case .tum:
                guard v.count == 8 else { throw .malformedRow(path, line: row.line, "expected 8 numbers (t x y z qx qy qz qw), found \(v.count)") }
                stamps.append(v[0])
                let q = try quaternion(w: v[7], x: v[4], y: v[5], z: v[6], path, row.line)
                poses.append(SE3(rotation: SO3(q), translation: Vec3(v[1], v[2], v[3])))
            case .euroc:
                guard v.count >= 8 else { throw .malformedRow(path, line: row.line, "expected at least 8 values (ns, p, q as w x y z), found \(v.count)") }
                stamps.append(v[0] / 1e9)   // evo divides by 1e9 (bit-identical stamps)
                let q = try quaternion(w: v[4], x: v[5], y: v[6], z: v[7], path, row.line)
                poses.append(SE3(rotation: SO3(q), translation: Vec3(v[1], v[2], v[3])))
            case .tartanair:
                guard v.count == 7 else { throw .malformedRow(path, line: row.line, "expected 7 numbers (tx ty tz qx qy qz qw), found \(v.count)") }
                let q = try quaternion(w: v[6], x: v[3], y: v[4], z: v[5], path, row.line)
                poses.append(cameraPose(fromNED: SE3(rotation: SO3(q), translation: Vec3(v[0], v[1], v[2]))))
            }
        }
        var timestamps: [Double]? = stamps.isEmpty ? nil : stamps
        if let timesFile {
            let t = try readTimes(timesFile)
            guard t.count == poses.count else {
                throw .countMismatch(timesFile.path, expected: poses.count, found: t.count, what: "timestamps")
            }
            timestamps = t
        }
        return Trajectory(poses: poses, timestamps: timestamps)
    }

    /// Reads a KITTI `times.txt` (one time in seconds per line).
    public static func readTimes(_ url: URL) throws(TrajectoryError) -> [Double] {
        let rows = try NumericTable.read(url)
        guard !rows.isEmpty else { throw .empty(url.path) }
        var times: [Double] = []
        times.reserveCapacity(rows.count)
        for (k, row) in rows.enumerated() {
            guard row.values.count == 1 else { throw .malformedRow(url.path, line: row.line, "expected one time per line, found \(row.values.count) values") }
            let t = row.values[0]
            guard t.isFinite else { throw .nonFinite(url.path, line: row.line) }
            if k > 0, t <= times[k - 1] {
                throw .malformedRow(url.path, line: row.line, "time \(t) is not after the previous line's \(times[k - 1]) (times must increase, one per frame)")
            }
            times.append(t)
        }
        return times
    }

    private static func rotation(_ m: Mat3, _ path: String, _ line: Int) throws(TrajectoryError) -> SO3 {
        guard let r = SO3(matrix: m, tolerance: rotationTolerance) else {
            let err = (m.transposed * m - .identity).frobeniusNorm
            throw .notARotation(path, line: line, String(format: "‖RᵀR − I‖ = %.3g, det = %.6g", err, m.determinant))
        }
        return r
    }

    private static func quaternion(w: Double, x: Double, y: Double, z: Double, _ path: String, _ line: Int) throws(TrajectoryError) -> Quaternion {
        guard let q = Quaternion(normalizing: w, x, y, z), abs(Quaternion(w: w, x: x, y: y, z: z).norm - 1) < 1e-2 else {
            throw .notARotation(path, line: line, "quaternion norm \(Quaternion(w: w, x: x, y: y, z: z).norm) is not 1")
        }
        return q
    }

    // MARK: Writing

    /// The text of a trajectory in this format. TUM and EuRoC need timestamps (frame index × 0.1 s
    /// is used when the trajectory has none).
    public func text(of trajectory: Trajectory) -> String {
        var out = self == .euroc ? "#timestamp [ns],p_x [m],p_y [m],p_z [m],q_w [],q_x [],q_y [],q_z []\n" : ""
        out.reserveCapacity(trajectory.count * 120)
        for i in trajectory.poses.indices { out += line(trajectory, i) + "\n" }
        return out
    }

    /// One row of the file for pose `i` (no newline).
    public func line(_ trajectory: Trajectory, _ i: Int) -> String {
        let pose = trajectory.poses[i]
        let time = trajectory.timestamps?[i] ?? Double(i) * 0.1
        func f(_ x: Double) -> String { "\(x)" }
        switch self {
        case .kitti:
            return pose.matrix3x4.map(f).joined(separator: " ")
        case .tum:
            let q = pose.rotation.quaternion, t = pose.translation
            return [time, t.x, t.y, t.z, q.x, q.y, q.z, q.w].map(f).joined(separator: " ")
        case .euroc:
            let q = pose.rotation.quaternion, t = pose.translation
            let ns = Int64((time * 1e9).rounded())
            return "\(ns)," + [t.x, t.y, t.z, q.w, q.x, q.y, q.z].map(f).joined(separator: ",")
        case .tartanair:
            let ned = TrajectoryFormat.nedPose(fromCamera: pose)
            let q = ned.rotation.quaternion, t = ned.translation
            return [t.x, t.y, t.z, q.x, q.y, q.z, q.w].map(f).joined(separator: " ")
        }
    }

    /// Writes a trajectory file atomically (a partial file is never left behind).
    public func write(_ trajectory: Trajectory, to url: URL) throws(TrajectoryError) {
        do { try text(of: trajectory).write(to: url, atomically: true, encoding: .utf8) } catch {
            throw .writeFailed(url.path, fileErrorReason(error))
        }
    }
}
