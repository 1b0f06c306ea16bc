import Datasets
import Foundation
import TestSupport

extension FuzzTests {
    /// Valid inputs of every kind, rendered by `parallax synth` and written by the engine itself,
    /// each with the command that reads it.
    static func fixtures(in root: URL, parallax: URL) throws -> [Kind] {
        func sh(_ arguments: [String]) throws {
            let r = try BoundedRun(parallax, arguments, timeout: 300, scratch: root)
            guard r.status == 0 else { throw FixtureError(command: arguments.joined(separator: " "), message: r.err) }
        }
        func path(_ p: String) -> URL { root.appendingPathComponent(p) }
        let synth = ["synth", "--frames", "6", "--speed", "2", "--no-depth", "--quiet"]
        try sh(synth + ["--format", "kitti", "--out", path("K").path])
        try sh(synth + ["--format", "euroc", "--out", path("E").path])
        try sh(synth + ["--format", "tartanair", "--out", path("T").path])
        try sh(["synth", "--frames", "30", "--speed", "2", "--no-depth", "--quiet", "--format", "kitti", "--out", path("V").path])
        try sh(["vocab", "--source", "kitti:\(path("V").path):00", "--out", path("words.voc").path, "--quiet"])
        try sh(["run", "--dataset", "kitti", path("K").path, "--sequence", "00", "--out", path("RK").path, "--quiet", "--loop-closure", "off"])
        try sh(["run", "--dataset", "euroc", path("E").path, "--out", path("RE").path, "--quiet", "--loop-closure", "off"])
        try FileManager.default.copyItem(at: path("T/pose_left.txt"), to: path("tartanair_estimate.txt"))
        try writeGeneric(from: path("K/sequences/00"), to: path("G"))
        try "huber: 2.45\nlk_levels: 4\nweighting: full\nselected_points: 600\nmeasurement_variance_floor: 0.0625\n"
            .write(to: path("odometry.yaml"), atomically: true, encoding: .utf8)
        try graph.write(to: path("graph.g2o"), atomically: true, encoding: .utf8)

        let kitti = ["dataset", "kitti", path("K").path, "--sequence", "00", "--quiet"]
        let euroc = ["dataset", "euroc", path("E").path, "--quiet"]
        let generic = ["dataset", "generic", path("G").path, "--quiet"]
        let runOut = path("out")
        let run = ["run", "--dataset", "kitti", path("K").path, "--sequence", "00", "--out", runOut.path, "--overwrite", "--quiet"]
        let runOutputs = ["trajectory_kitti.txt", "trajectory_tum.txt", "covariance.txt", "summary.json"].map { runOut.appendingPathComponent($0) }
        let egt = path("E/mav0/state_groundtruth_estimate0/data.csv")
        return [
            Kind(name: "calib.txt", file: path("K/sequences/00/calib.txt"), arguments: kitti, executable: "parallax", outputs: []),
            Kind(name: "times.txt", file: path("K/sequences/00/times.txt"), arguments: kitti, executable: "parallax", outputs: []),
            Kind(name: "PNG image", file: path("K/sequences/00/image_0/000001.png"), arguments: kitti, executable: "parallax", outputs: []),
            Kind(name: "EuRoC data.csv", file: path("E/mav0/cam1/data.csv"), arguments: euroc, executable: "parallax", outputs: []),
            Kind(name: "EuRoC sensor.yaml", file: path("E/mav0/cam0/sensor.yaml"), arguments: euroc, executable: "parallax", outputs: []),
            Kind(name: "generic calib.yaml", file: path("G/calib.yaml"), arguments: generic, executable: "parallax", outputs: []),
            Kind(name: "JPEG image", file: path("G/right/000002.jpg"), arguments: generic, executable: "parallax", outputs: []),
            Kind(name: "KITTI trajectory", file: path("K/poses/00.txt"),
                 arguments: ["ape", "kitti", path("K/poses/00.txt").path, path("RK/trajectory_kitti.txt").path],
                 executable: "parallax-eval", outputs: []),
            Kind(name: "TUM trajectory", file: path("RE/trajectory_tum.txt"),
                 arguments: ["rpe", "euroc", egt.path, path("RE/trajectory_tum.txt").path], executable: "parallax-eval", outputs: []),
            Kind(name: "EuRoC ground truth", file: egt,
                 arguments: ["ape", "euroc", egt.path, path("RE/trajectory_tum.txt").path], executable: "parallax-eval", outputs: []),
            Kind(name: "TartanAir trajectory", file: path("T/pose_left.txt"),
                 arguments: ["tartanair", path("T/pose_left.txt").path, path("tartanair_estimate.txt").path],
                 executable: "parallax-eval", outputs: []),
            Kind(name: "g2o graph", file: path("graph.g2o"), arguments: ["pgo", path("graph.g2o").path],
                 executable: "parallax", outputs: []),
            Kind(name: "YAML configuration", file: path("odometry.yaml"),
                 arguments: run + ["--config", path("odometry.yaml").path, "--loop-closure", "off"], executable: "parallax",
                 outputs: runOutputs),
            Kind(name: "vocabulary", file: path("words.voc"), arguments: run + ["--vocabulary", path("words.voc").path],
                 executable: "parallax", outputs: runOutputs),
        ]
    }

    /// A generic dataset (calib.yaml, JPEG images) from a KITTI-layout sequence's images.
    static func writeGeneric(from sequence: URL, to folder: URL) throws {
        for (from, to) in [("image_0", "left"), ("image_1", "right")] {
            let target = folder.appendingPathComponent(to)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: sequence.appendingPathComponent(from).path).sorted() {
                let image = try GreyImage.decode(sequence.appendingPathComponent(from).appendingPathComponent(name))
                try image.write(to: target.appendingPathComponent((name as NSString).deletingPathExtension + ".jpg"))
            }
        }
        try "fx: 320\ncx: 320\ncy: 240\nbaseline: 0.5\nfps: 10\n"
            .write(to: folder.appendingPathComponent("calib.yaml"), atomically: true, encoding: .utf8)
    }

    /// A small 3D pose graph: a square with a diagonal loop closure.
    static let graph = """
        VERTEX_SE3:QUAT 0 0 0 0 0 0 0 1
        VERTEX_SE3:QUAT 1 1.02 0.01 0 0 0 0.01 1
        VERTEX_SE3:QUAT 2 1.01 0.98 0.02 0 0 0.7 0.71
        VERTEX_SE3:QUAT 3 -0.01 1.03 0 0 0 1 0.02
        EDGE_SE3:QUAT 0 1 1 0 0 0 0 0 1 100 0 0 0 0 0 100 0 0 0 0 100 0 0 0 400 0 0 400 0 400
        EDGE_SE3:QUAT 1 2 0 1 0 0 0 0.7071 0.7071 100 0 0 0 0 0 100 0 0 0 0 100 0 0 0 400 0 0 400 0 400
        EDGE_SE3:QUAT 2 3 1 0 0 0 0 0.7071 0.7071 100 0 0 0 0 0 100 0 0 0 0 100 0 0 0 400 0 0 400 0 400
        EDGE_SE3:QUAT 0 3 0 1 0 0 0 1 0 50 0 0 0 0 0 50 0 0 0 0 50 0 0 0 200 0 0 200 0 200

        """
}

struct FixtureError: Error, CustomStringConvertible {
    let command: String
    let message: String
    var description: String { "fixture `parallax \(command)` failed: \(message)" }
}
