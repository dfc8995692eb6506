/** Entry point of the browser bundle (app.js): renders the app into #app. */
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app';
// All CSS is imported here, so it lands in one app.css (lazily loaded chunks carry no CSS of their own).
import './styles.css';
import 'uplot/dist/uPlot.min.css';
import './ops.css';

const root = document.getElementById('app') ?? document.body;
render(html`<${App} />`, root);
