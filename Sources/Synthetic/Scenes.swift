import Geometry

/// The synthetic worlds.
public enum WorldKind: String, CaseIterable, Sendable {
    /// A street canyon: asphalt, brick façades (with plain, weakly textured stretches), city
    /// blocks between the streets, parked boxes along the kerbs.
    case canyon
    /// An indoor room with a ceiling, tables in the middle and furniture along the walls.
    case room

    /// Street geometry: block width between the route's legs, corner radius, half-width of the
    /// street (clearance between the route and the block faces), shortest leg.
    var layout: (width: Double, radius: Double, street: Double, minLeg: Double) {
        self == .canyon ? (24, 6, 6, 24) : (3, 1.2, 0.75, 2)
    }

    /// The route a trajectory of `distance` metres follows in this world.
    /// Straight, reverse and wobble drives run up the left leg of a loop long enough to hold them.
    func route(for trajectory: TrajectoryKind, distance: Double) -> Route {
        let (width, radius, _, minLeg) = layout
        let turns = 2 * Double.pi * radius, cross = 2 * (width - 2 * radius)
        switch trajectory {
        case .loop:
            return .loop(straight: max(minLeg, (distance - turns - cross) / 2), width: width, radius: radius)
        case .figureEight:
            // Length 4(l − r) + 4(w − 2r) + 4πr for blocks of length l.
            let l = (distance - 2 * cross - 2 * turns) / 4 + radius
            return .figureEight(blockLength: max(minLeg, l), width: width, radius: radius)
        case .straight, .reverse, .wobble:
            let margin = self == .canyon ? 15.0 : 2.0
            return .loop(straight: max(minLeg, 2 * (distance + margin)), width: width, radius: radius)
        }
    }

    /// Builds the world around a route, deterministically from `seed`.
    func build(route: Route, seed: UInt64) -> World {
        var rng = SplitMix64(state: seed)
        func tex(_ m: Material, _ b: Double) -> SurfaceTexture { SurfaceTexture(material: m, seed: rng.next(), brightness: b) }
        let street = layout.street
        let xMin = route.blocks.map(\.xMin).min() ?? 0, xMax = route.blocks.map(\.xMax).max() ?? 0
        let zMin = (route.blocks.map(\.zMin).min() ?? 0) - street, zMax = (route.blocks.map(\.zMax).max() ?? 0) + street
        // Along the two outer kerbs: parked cars (canyon) or furniture (room).
        func kerbBoxes(ground: Double, length: ClosedRange<Double>, height: ClosedRange<Double>,
                       depth: ClosedRange<Double>, gap: ClosedRange<Double>, inset: Double) -> [WorldBox] {
            var boxes: [WorldBox] = []
            for side in 0..<2 {
                var z = zMin + street + rng.uniform(0, gap.upperBound / 2)
                while z < zMax - street - length.upperBound {
                    let len = rng.uniform(length.lowerBound, length.upperBound)
                    let hgt = rng.uniform(height.lowerBound, height.upperBound)
                    let dep = rng.uniform(depth.lowerBound, depth.upperBound)
                    let x0 = side == 0 ? xMin - street + inset : xMax + street - inset - dep
                    let m: Material = rng.uniform(0, 1) < 0.7 ? .tiles : .plaster
                    boxes.append(WorldBox(lo: Vec3(x0, ground - hgt, z), hi: Vec3(x0 + dep, ground, z + len),
                                          texture: tex(m, rng.uniform(0.35, 0.65))))
                    z += len + rng.uniform(gap.lowerBound, gap.upperBound)
                }
            }
            return boxes
        }
        switch self {
        case .canyon:
            let ground = 1.6, top = ground - 12
            var boxes = route.blocks.map { b in
                WorldBox(lo: Vec3(b.xMin + street, top + 2, b.zMin + street), hi: Vec3(b.xMax - street, ground, b.zMax - street),
                         texture: tex(.facade, 0.55))
            }
            boxes += kerbBoxes(ground: ground, length: 1.0...4.5, height: 0.8...2.2, depth: 1.0...1.6, gap: 3...12, inset: 0.6)
            return World(groundY: ground, ceilingY: nil, xMin: xMin - street, xMax: xMax + street,
                         zMin: zMin, zMax: zMax, wallTopY: top, boxes: boxes,
                         ground: tex(.asphalt, 0.45), ceiling: tex(.plaster, 0.5),
                         wallXMin: tex(.facade, 0.6), wallXMax: tex(.facade, 0.55),
                         wallZMin: tex(.facade, 0.5), wallZMax: tex(.facade, 0.62))
        case .room:
            let floor = 1.2, ceiling = -1.4
            var boxes = route.blocks.map { b in
                WorldBox(lo: Vec3(b.xMin + street, floor - 0.75, b.zMin + street), hi: Vec3(b.xMax - street, floor, b.zMax - street),
                         texture: tex(.tiles, 0.5))
            }
            boxes += kerbBoxes(ground: floor, length: 0.4...1.2, height: 0.4...1.8, depth: 0.3...0.6, gap: 0.5...2, inset: -0.85)
            return World(groundY: floor, ceilingY: ceiling, xMin: xMin - street - 0.85, xMax: xMax + street + 0.85,
                         zMin: zMin - 0.85, zMax: zMax + 0.85, wallTopY: ceiling, boxes: boxes,
                         ground: tex(.tiles, 0.5), ceiling: tex(.plaster, 0.7),
                         wallXMin: tex(.tiles, 0.55), wallXMax: tex(.plaster, 0.6),
                         wallZMin: tex(.tiles, 0.5), wallZMax: tex(.facade, 0.6))
        }
    }
}
