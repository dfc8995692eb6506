/** Entry point of the browser bundle (app.js): renders the app into #app. */
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app';
import { preloadRoute } from './routes';
import { bootSession } from './session';
// All CSS is imported here, so it lands in one app.css (lazily loaded chunks carry no CSS of their own).
import './styles.css';
import 'uplot/dist/uPlot.min.css';
import './ops.css';

// Started before the first render: the session check and the page's chunk load in parallel with it.
bootSession().catch(() => undefined);
preloadRoute(location.pathname);
const root = document.getElementById('app') ?? document.body;
render(html`<${App} />`, root);
