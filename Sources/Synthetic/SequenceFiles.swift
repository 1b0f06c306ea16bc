import Foundation
import Geometry
import Trajectories

/// The files of a synthetic sequence that grow by one line per written frame (poses, times,
/// image lists). Headers and calibration are written up front.
final class GrowingFiles {
    private var handles: [(FileHandle, String, (Int) -> String)] = []

    /// Opens (truncates) `url`, writes `header`, and appends `line(i)` + newline for each frame.
    func add(_ url: URL, header: String = "", line: @escaping (Int) -> String) throws(SyntheticError) {
        guard FileManager.default.createFile(atPath: url.path, contents: Data(header.utf8)),
              let h = FileHandle(forWritingAtPath: url.path) else {
            throw .writeFailed(url.path, "cannot create file")
        }
        h.seekToEndOfFile()
        handles.append((h, url.path, line))
    }

    func append(frame i: Int) throws(SyntheticError) {
        for (h, path, line) in handles {
            do { try h.write(contentsOf: Data((line(i) + "\n").utf8)) } catch { throw .writeFailed(path, fileErrorReason(error)) }
        }
    }

    func close() { for (h, _, _) in handles { try? h.close() } }
}

extension SequenceWriter {
    /// Creates the layout's folders, calibration and growing files.
    func prepare() throws(SyntheticError) -> GrowingFiles {
        let files = GrowingFiles()
        let seq = sequence, c = seq.camera
        guard let gt = seq.groundTruth else { throw .badOption("sequence has no ground truth") }
        switch layout {
        case .kitti:
            let dir = try folder("sequences/\(sequenceName)")
            let p0 = [c.fx, 0, c.cx, 0, 0, c.fy, c.cy, 0, 0, 0, 1, 0]
            var p1 = p0; p1[3] = -c.fx * c.baseline
            func row(_ label: String, _ v: [Double]) -> String { label + ": " + v.map { String(format: "%.12e", $0) }.joined(separator: " ") + "\n" }
            try put(Data((row("P0", p0) + row("P1", p1) + row("P2", p0) + row("P3", p1)).utf8), dir.appendingPathComponent("calib.txt"))
            try files.add(dir.appendingPathComponent("times.txt")) { String(format: "%.6e", seq.timestamps[$0]) }
            let poses = try folder("poses").appendingPathComponent("\(sequenceName).txt")
            try files.add(poses) { TrajectoryFormat.kitti.line(gt, $0) }
        case .tartanair:
            _ = try folder("image_left")
            try files.add(root.appendingPathComponent("pose_left.txt")) { TrajectoryFormat.tartanair.line(gt, $0) }
        case .euroc:
            for (cam, x) in [("cam0", 0.0), ("cam1", c.baseline)] {
                let dir = try folder("mav0/\(cam)")
                try put(Data(eurocSensorYAML(camera: c, x: x).utf8), dir.appendingPathComponent("sensor.yaml"))
                try files.add(dir.appendingPathComponent("data.csv"), header: "#timestamp [ns],filename\n") {
                    "\(self.nanoseconds($0)),\(self.nanoseconds($0)).png"
                }
            }
            let gtDir = try folder("mav0/state_groundtruth_estimate0")
            let header = "#timestamp, p_RS_R_x [m], p_RS_R_y [m], p_RS_R_z [m], q_RS_w [], q_RS_x [], q_RS_y [], q_RS_z [], "
                + "v_RS_R_x [m s^-1], v_RS_R_y [m s^-1], v_RS_R_z [m s^-1], b_w_RS_S_x [rad s^-1], b_w_RS_S_y [rad s^-1], "
                + "b_w_RS_S_z [rad s^-1], b_a_RS_S_x [m s^-2], b_a_RS_S_y [m s^-2], b_a_RS_S_z [m s^-2]\n"
            try files.add(gtDir.appendingPathComponent("data.csv"), header: header) { i in
                let p = gt.poses[i], q = p.rotation.quaternion, t = p.translation
                // Velocity by central differences of the ground truth; IMU biases are zero.
                let a = max(i - 1, 0), b = min(i + 1, gt.count - 1)
                let v = b > a ? (gt.poses[b].translation - gt.poses[a].translation) * (1 / (seq.timestamps[b] - seq.timestamps[a])) : Vec3.zero
                let values = [t.x, t.y, t.z, q.w, q.x, q.y, q.z, v.x, v.y, v.z, 0, 0, 0, 0, 0, 0]
                return "\(self.nanoseconds(i))," + values.map { "\($0)" }.joined(separator: ",")
            }
        }
        return files
    }

    /// A EuRoC camera `sensor.yaml`: pinhole, no distortion, `T_BS` a translation by `x` along
    /// the body's x axis (the body frame is the left camera).
    func eurocSensorYAML(camera c: StereoCamera, x: Double) -> String {
        """
        # Parallax synthetic stereo camera (rectified, no distortion)
        sensor_type: camera
        comment: Parallax synthetic sequence
        T_BS:
          cols: 4
          rows: 4
          data: [1.0, 0.0, 0.0, \(x), 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
        rate_hz: \(sequence.fps)
        resolution: [\(c.width), \(c.height)]
        camera_model: pinhole
        intrinsics: [\(c.fx), \(c.fy), \(c.cx), \(c.cy)]
        distortion_model: radial-tangential
        distortion_coefficients: [0.0, 0.0, 0.0, 0.0]

        """
    }
}
