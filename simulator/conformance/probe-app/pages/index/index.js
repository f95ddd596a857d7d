/* global Page */
Page({});
