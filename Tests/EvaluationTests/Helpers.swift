import Foundation
import Geometry
import TestSupport
import Trajectories

func randomVec3(_ g: inout SplitMix, scale: Double = 1) -> Vec3 {
    Vec3(Double.random(in: -1...1, using: &g), Double.random(in: -1...1, using: &g), Double.random(in: -1...1, using: &g)) * scale
}

/// A smooth random 3D trajectory: `count` poses, steps of about one metre, turning slowly.
func randomTrajectory(_ g: inout SplitMix, count: Int, withTimes: Bool = false) -> Trajectory {
    var pose = SE3.identity
    var poses: [SE3] = []
    for _ in 0..<count {
        poses.append(pose)
        let step = SE3.exp(Vec6(Vec3(0, 0, 1) + randomVec3(&g, scale: 0.3), randomVec3(&g, scale: 0.05)))
        pose = pose * step
    }
    return Trajectory(poses: poses, timestamps: withTimes ? (0..<count).map { Double($0) * 0.1 } : nil)
}

/// A random rotation.
func randomRotation(_ g: inout SplitMix) -> SO3 { SO3.exp(randomVec3(&g, scale: 2)) }

/// Writes text to a file in `dir` and returns its path.
func write(_ text: String, _ name: String, in dir: TemporaryDirectory) throws -> String {
    let url = dir.url.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// `parallax` (which runs `parallax eval …`).
let parallaxBinary = builtExecutable("parallax")
/// `parallax-eval`, the same verbs without OpenCV (fast to start).
let parallaxEvalBinary = builtExecutable("parallax-eval")

/// Runs a program; returns (exit status, stdout, stderr).
func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// True when `python3 -c code` exits with status 0.
func pythonSucceeds(_ code: String) -> Bool {
    guard let r = try? run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", code]) else { return false }
    return r.status == 0
}

func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
