import ArgumentParser
import Foundation
import Parallax

/// `parallax vocab`: trains a vocabulary tree of ORB words for loop closure from image sequences.
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Train a place-recognition vocabulary (k-majority tree of ORB words) from stereo sequences.",
        discussion: """
        The odometry runs over each source and the ORB descriptors of its keyframes (the same \
        detector, the same descriptors as at run time) are clustered by k-majority, level by level. \
        Use the file with `parallax run --vocabulary FILE`.

        Example: parallax vocab --source kitti:../shared/datasets/kitti-odometry:06 \\
                   --source euroc:../shared/datasets/euroc/V1_01_easy_first95 --out parallax.voc
        """
    )

    @Option(help: ArgumentHelp("A training sequence as layout:path[:sequence] (layouts: kitti, tartanair, euroc, generic). Repeat for several.",
                               valueName: "layout:path[:sequence]"))
    var source: [String] = []

    @Option(parsing: .unconditional, help: "Use at most this many frames of each source.")
    var frames: Int?

    @Option(parsing: .unconditional, help: "Children per node.")
    var branching: Int = 10

    @Option(parsing: .unconditional, help: "Levels (words = branching^depth at most).")
    var depth: Int = 3

    @Option(help: "Output vocabulary file.")
    var out: String

    @Option(help: "YAML configuration file (the odometry's settings shape the keyframes and their descriptors).")
    var config: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func run() throws {
        guard !source.isEmpty else { throw ValidationError("give at least one --source layout:path[:sequence]") }
        let base = try pipelineConfig(file: config)
        var descriptors: [ORBDescriptor] = []
        for spec in source {
            let parts = spec.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count >= 2, let kind = DatasetKind(rawValue: parts[0].lowercased()) else {
                throw ValidationError("--source '\(spec)': expected layout:path[:sequence] with layout kitti, tartanair, euroc or generic")
            }
            let ds: any StereoDataset
            ds = try openDataset(kind, URL(fileURLWithPath: parts[1]), sequence: parts.count > 2 ? parts[2] : "00")
            let found = try keyframeDescriptors(ds, frames: min(frames ?? ds.frameCount, ds.frameCount), base: base)
            print("\(ds.name): \(found.keyframes) keyframes, \(found.descriptors.count) descriptors")
            descriptors += found.descriptors
        }
        let t0 = Date()
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(training: descriptors, branching: branching, depth: depth) } catch { throw CLIError(error.description) }
        let url = URL(fileURLWithPath: out)
        do { try vocabulary.write(to: url) } catch { throw CLIError(error.description) }
        print(String(format: "vocabulary: %d words (branching %d, depth %d) from %d descriptors in %.1f s, written to %@",
                     vocabulary.wordCount, branching, depth, descriptors.count, Date().timeIntervalSince(t0), url.path))
    }

    /// The ORB descriptors of the keyframes the odometry makes over the first `count` frames.
    private func keyframeDescriptors(_ ds: any StereoDataset, frames count: Int, base: PipelineConfig) throws -> (keyframes: Int, descriptors: [ORBDescriptor]) {
        let pipeline: StereoPipeline
        var config = base
        config.loopClosureEnabled = false
        do { pipeline = try StereoPipeline(camera: ds.camera, config: config) } catch { throw CLIError(error.description) }
        var out: [ORBDescriptor] = [], keyframes = 0
        try drive(pipeline, over: ds, frames: count, quiet: quiet) { f in
            guard let k = f.odometry.keyframe else { return }
            keyframes += 1
            out += k.descriptors.compactMap { $0 }
        }
        return (keyframes, out)
    }
}
