// The live panels, laid out within the line budget: one column, or when wide Watch beside
// the reload log, with Cooldown and Verification below them at full width; rows to spare
// show the tail of the service's output.
import { Box } from 'ink';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../../src/types.js';
import type { Layout } from '../view/layout.js';
import { Cooldown } from './Cooldown.js';
import { Header } from './Header.js';
import { ReloadLog } from './ReloadLog.js';
import { ServiceTail } from './ServiceOutputView.js';
import { Targets } from './Targets.js';
import { Verification } from './Verification.js';
import { Warnings } from './Warnings.js';
import { Watch } from './Watch.js';

export function MainScreen({ store, layout }: { store: StoreApi<EngineStore>; layout: Layout }) {
  const { width, leftWidth, rightWidth } = layout;
  if (!layout.twoColumns) {
    return (
      <Box flexDirection="column">
        <Header store={store} width={width} />
        <Targets store={store} width={width} rows={layout.targets} />
        <Warnings store={store} width={width} rows={layout.warnings} />
        <Watch store={store} width={width} rows={layout.recent} />
        <Cooldown store={store} width={width} />
        <ReloadLog store={store} width={width} rows={layout.history} />
        <Verification store={store} width={width} rows={layout.checks} />
        <ServiceTail store={store} width={width} rows={layout.output} />
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Header store={store} width={width} />
      <Targets store={store} width={width} rows={layout.targets} />
      <Warnings store={store} width={width} rows={layout.warnings} />
      <Box flexDirection="row" height={layout.middle} overflow="hidden">
        <Box flexDirection="column" width={leftWidth} marginRight={1}>
          <Watch store={store} width={leftWidth} rows={layout.recent} />
        </Box>
        <Box flexDirection="column" width={rightWidth}>
          <ReloadLog store={store} width={rightWidth} rows={layout.history} />
        </Box>
      </Box>
      <Cooldown store={store} width={width} />
      <Verification store={store} width={width} rows={layout.checks} />
      <ServiceTail store={store} width={width} rows={layout.output} />
    </Box>
  );
}
