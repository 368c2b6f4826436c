/*
 * What the first bytes of a file say, for packing environments: the machine an ELF file is built for, and the
 * source mtime a .pyc was checked against.
 */

const elfMachines: Record<number, string> = {
  62: "amd64",
  183: "arm64",
  3: "386",
  40: "arm",
  21: "ppc64le",
  22: "s390x",
};

/** The architecture an ELF file is built for, from its header (`e_machine`); undefined for anything else. */
export function elfArchitecture(head: Buffer): string | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return elfMachines[machine] ?? `machine-${machine}`;
}

/**
 * Sets the source mtime recorded in a timestamp-checked .pyc header (PEP 552: magic ending in \r\n, flags 0,
 * then the mtime) to `mtime`, in place. Packing gives every source that one mtime, so the .pyc stays valid and
 * Python does not recompile it. Hash-checked and unchecked .pyc files do not record a time and are left alone.
 */
export function pinPycMtime(head: Buffer, mtime: number): void {
  if (head.length < 16 || head[2] !== 0x0d || head[3] !== 0x0a || head.readUInt32LE(4) !== 0) return;
  head.writeUInt32LE(mtime >>> 0, 8);
}
