// TagTable: per-SA values of the data paths (ESP destination, first-traffic flag) by the SA's tag, the
// small integer the SADatabase carries with each SA and the processors report per packet.
//
//   insert(value) → a free tag (one released earlier, else the next new one)
//   remove(tag)   → the tag is free again (its SA was removed or replaced)
//   self[tag]     → the value, an array index (no hashing per packet)
// Tags are reused, so the table holds as many entries as SAs were installed at once at most, not one per
// SA ever installed.

/// Values by SA tag with reuse of released tags. Owned by one data path's thread; a value type.
struct TagTable<Element> {
    private var elements: [Element?] = []
    private var free: [Int] = []

    /// Tags in use.
    var count: Int { elements.count - free.count }

    /// Tags ever handed out at once (the table's size).
    var capacity: Int { elements.count }

    /// Stores `value` under a free tag and returns the tag.
    mutating func insert(_ value: Element) -> Int {
        if let tag = free.popLast() {
            elements[tag] = value
            return tag
        }
        elements.append(value)
        return elements.count - 1
    }

    /// Frees `tag` (a tag not in use is ignored).
    mutating func remove(_ tag: Int) {
        guard elements.indices.contains(tag), elements[tag] != nil else { return }
        elements[tag] = nil
        free.append(tag)
    }

    /// The value of a tag in use (a tag from `insert` not removed since: the caller's invariant).
    subscript(tag: Int) -> Element {
        get {
            guard let value = elements[tag] else { preconditionFailure("SA tag \(tag) is not in use") }
            return value
        }
        set {
            precondition(elements[tag] != nil, "SA tag \(tag) is not in use")
            elements[tag] = newValue
        }
    }
}
