/** Entry point of the browser bundle (app.js): renders the app into #app. */
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app') ?? document.body;
render(html`<${App} />`, root);
