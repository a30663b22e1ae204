/// Which half of an SA pair: opened here (inbound) or sealed here (outbound). A plain value.
public enum SADirection: Sendable, Hashable {
    case inbound
    case outbound
}
