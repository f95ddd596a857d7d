// Thin page: lifecycle and taps go to the checkout flow (lib/checkout-flow.ts); its patches go to setData.
import { initialView, type CheckoutFlow } from '../../lib/checkout-flow';
import type { WxError } from '../../lib/ports';

interface CheckoutPage {
  flow: CheckoutFlow | null;
}

Page<ReturnType<typeof initialView>, CheckoutPage & WechatMiniprogram.Page.CustomOption>({
  data: initialView(),
  flow: null,

  onLoad(query: Record<string, string | undefined>) {
    const flow = getApp<IAppOption>().runtime.createCheckoutFlow((patch) => this.setData(patch));
    this.flow = flow;
    flow.start({ sku: query.sku ? decodeURIComponent(query.sku) : undefined });
  },

  onUnload() {
    if (this.flow) this.flow.unload();
    this.flow = null;
  },

  // navigateToMiniProgram runs inside these handlers' synchronous turn (WeChat's user-tap rule)
  onPayTap() {
    if (this.flow) this.flow.tapPay();
  },
  onRepayTap() {
    if (this.flow) this.flow.tapRepay();
  },
  onRecheckTap() {
    if (this.flow) this.flow.tapRecheck();
  },
  onRetryTap() {
    if (this.flow) this.flow.tapRetry();
  },
  onNavigatorSuccess() {
    if (this.flow) this.flow.fallbackSuccess();
  },
  onNavigatorFail(e: { detail?: WxError }) {
    if (this.flow) this.flow.fallbackFail(e.detail || { errMsg: 'navigateToMiniProgram:fail' });
  },
});
