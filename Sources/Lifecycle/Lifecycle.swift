/// The Loopline domain: the event catalogue of the seven stages, commands, and deciders.
/// Pure: no I/O, and no import of any other Loopline module.
public enum Lifecycle {}
