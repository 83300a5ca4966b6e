// Columns and rows of the terminal, following resize events; props win (tests, embedding).
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export function useTerminalSize(width?: number, height?: number): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read() only depends on stdout
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return { cols: width ?? size.cols, rows: height ?? size.rows };
}
